"""Unit tests for the deterministic demo enterprise generator."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import re
import statistics
import subprocess
import sys
from collections import Counter

import pytest

from parkops.enterprises import demo_names
from parkops.enterprises.demo_names import INDUSTRIES, PLATFORMS, DemoEnterprise, demo_enterprises
from parkops.enterprises.rules.uscc import is_valid_uscc, org_code_is_consistent

N = 600


@pytest.fixture(scope="module")
def enterprises() -> list[DemoEnterprise]:
    return demo_enterprises(N)


def _digest(items: list[DemoEnterprise]) -> str:
    return hashlib.sha256(repr(items).encode()).hexdigest()


def test_same_seed_same_output(enterprises: list[DemoEnterprise]) -> None:
    assert demo_enterprises(N) == enterprises
    assert demo_enterprises(N, seed=7) == demo_enterprises(N, seed=7)


def test_different_seed_different_output(enterprises: list[DemoEnterprise]) -> None:
    assert demo_enterprises(N, seed=7) != enterprises


def test_asking_for_more_keeps_the_first_ones(enterprises: list[DemoEnterprise]) -> None:
    assert demo_enterprises(50) == enterprises[:50]


def test_output_does_not_depend_on_the_hash_seed(enterprises: list[DemoEnterprise]) -> None:
    # Iterating a set of strings would make the output differ between processes.
    script = (
        "import hashlib; from parkops.enterprises.demo_names import demo_enterprises; "
        f"print(hashlib.sha256(repr(demo_enterprises({N})).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == _digest(enterprises)


def test_no_global_random_state_is_used() -> None:
    random.seed(1)
    first = demo_enterprises(20)
    random.seed(2)
    state = random.getstate()
    assert demo_enterprises(20) == first
    assert random.getstate() == state


def test_edge_counts() -> None:
    assert demo_enterprises(0) == []
    with pytest.raises(ValueError, match="negative"):
        demo_enterprises(-1)


def test_names_and_codes_are_unique(enterprises: list[DemoEnterprise]) -> None:
    assert len({e.name for e in enterprises}) == N
    assert len({e.uscc for e in enterprises}) == N


def test_usccs_are_valid_local_enterprise_codes(enterprises: list[DemoEnterprise]) -> None:
    for e in enterprises:
        assert is_valid_uscc(e.uscc), e.uscc
        assert org_code_is_consistent(e.uscc), e.uscc
        assert e.uscc.startswith("91")  # market regulation, enterprise
        # Lushan City, the former Xingzi County, or Jiujiang and its districts.
        assert e.uscc[2:6] == "3604", e.uscc


def test_company_names_are_plausible(enterprises: list[DemoEnterprise]) -> None:
    for e in enterprises:
        assert e.name.endswith("有限公司")
        assert e.name.startswith(("庐山市", "九江", "江西"))
        assert e.trade_name in e.name
        assert len(e.trade_name) in (2, 4)
    english = [e.name_en for e in enterprises if e.name_en is not None]
    assert 0.1 * N < len(english) < 0.6 * N
    for name in english:
        assert name.isascii()
        assert name.endswith("Co., Ltd.")


def test_people(enterprises: list[DemoEnterprise]) -> None:
    han_name = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
    for e in enterprises:
        assert han_name.match(e.legal_representative), e.legal_representative
        assert han_name.match(e.contact_person), e.contact_person
    assert len({e.legal_representative for e in enterprises}) > N // 3


def test_mobiles_look_like_chinese_mobile_numbers(enterprises: list[DemoEnterprise]) -> None:
    for e in enterprises:
        assert re.fullmatch(r"1[35789]\d{9}", e.contact_mobile), e.contact_mobile


def test_industries_lean_to_down_apparel_and_ecommerce(
    enterprises: list[DemoEnterprise],
) -> None:
    counts = Counter(e.industry for e in enterprises)
    assert set(counts) == set(INDUSTRIES)
    assert counts["down_apparel"] + counts["ecommerce"] > N // 2
    assert counts.most_common(2)[0][0] in ("down_apparel", "ecommerce")


def test_capital_and_size(enterprises: list[DemoEnterprise]) -> None:
    for e in enterprises:
        assert type(e.registered_capital_fen) is int
        assert 500_000 * 100 <= e.registered_capital_fen <= 50_000_000 * 100
        assert 6 <= e.employee_count <= 800
    assert statistics.median(e.employee_count for e in enterprises) < 50
    assert max(e.employee_count for e in enterprises) > 200


def test_online_shops(enterprises: list[DemoEnterprise]) -> None:
    for e in enterprises:
        platforms = [shop.platform for shop in e.online_shops]
        assert len(platforms) == len(set(platforms))
        assert set(platforms) <= set(PLATFORMS)
        assert all(shop.shop_name for shop in e.online_shops)
        if e.industry == "ecommerce":
            assert e.online_shops
        elif e.industry not in ("down_apparel", "childrens_clothing"):
            assert e.online_shops == ()
    first_shop = next(e.online_shops[0] for e in enterprises if e.online_shops)
    assert first_shop == (first_shop.platform, first_shop.shop_name)


def test_demo_enterprise_is_frozen(enterprises: list[DemoEnterprise]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        enterprises[0].name = "x"  # type: ignore[misc]
    hash(enterprises[0])


def test_falls_back_to_four_character_trade_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # With two words the plain names run out quickly and the generator must combine them.
    monkeypatch.setattr(demo_names, "_TRADE_WORDS", (("暖阳", "Nuanyang"), ("云羽", "Yunyu")))
    items = demo_enterprises(150)
    assert len({e.name for e in items}) == 150
    assert any(e.trade_name in ("暖阳云羽", "云羽暖阳") for e in items)


def test_running_out_of_names_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_names, "_TRADE_WORDS", (("暖阳", "Nuanyang"), ("云羽", "Yunyu")))
    with pytest.raises(RuntimeError, match="unique demo company names"):
        demo_enterprises(1000)
