"""The input boundary's rules on single values (parkops.core.input_guard)."""

from __future__ import annotations

import pytest

from parkops.core.errors import AppError, ValidationFailed
from parkops.core.input_guard import check_json, value_problem


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bank_account", "62220212345678901234567"),  # a long digit string is text
        ("note", "see 2026-03-01"),
        ("start_date", "2026-03-01"),
        ("month", "2200-12"),
        ("amount_fen", 2**63 - 1),
        ("unit_ids[3]", 2**31 - 1),
        ("name", "红星羽绒 \u200b"),
        ("flag", True),
    ],
)
def test_values_any_route_may_receive(field, value):
    assert value_problem(field, value) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "a\x00b"),
        ("subject", "invoice \u202efdp.exe"),
        ("subject", "\u2066isolated\u2069"),
        ("count", 2**63),
        ("enterprise_id", 2**31),
        ("enterprise_id", "99999999999"),
        ("unit_ids[0]", -(2**31)),
        ("amount_fen", True),
        ("amount_fen", 1.5),
        ("amount_fen", "9223372036854775808"),
        ("since", "0001-01-01"),
        ("to_month", "9999-12"),
        ("received_on", "1900-06-30T00:00:00"),
    ],
)
def test_values_no_route_may_receive(field, value):
    assert value_problem(field, value)


def test_json_is_checked_through_its_depth_and_keys():
    check_json(b'{"items": [{"name": "ok", "unit_id": 3}]}')
    check_json(b"not json")  # left to the route's own 400
    with pytest.raises(ValidationFailed) as refused:
        check_json(b'{"items": [{"name": "a\\u0000b"}], "k\\u202e": 1}')
    assert set(refused.value.field_errors) == {"items[0].name", "k"}
    with pytest.raises(AppError) as deep:
        check_json(b"[" * 40 + b"]" * 40)
    assert deep.value.status_code == 400
    with pytest.raises(AppError):
        check_json(b"[" * 100_000)
