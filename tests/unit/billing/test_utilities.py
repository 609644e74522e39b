"""Metering arithmetic: consumption, replacements, jumps, tiers, common-area shares."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parkops.billing.rules import utilities as u
from parkops.core.money import round_half_up_to_fen

D = Decimal


class TestConsumption:
    def test_difference_from_the_previous_reading(self):
        assert u.consumption(D("100.50"), D("350.75")) == D("250.25")

    def test_a_lower_value_needs_a_replacement(self):
        with pytest.raises(u.ReadingError) as exc:
            u.consumption(D("100"), D("99.99"))
        assert exc.value.field == "value" and "replaced" in exc.value.message

    def test_replacement_adds_both_meters(self):
        used = u.consumption(D("100"), D("20"), u.Replacement(D("130"), D("5")))
        assert used == D("45")  # 30 on the old meter, 15 on the new one

    @pytest.mark.parametrize(
        ("replacement", "value", "field"),
        [
            (u.Replacement(D("90"), D("0")), D("10"), "old_final_value"),
            (u.Replacement(D("110"), D("-1")), D("10"), "new_start_value"),
            (u.Replacement(D("110"), D("50")), D("10"), "value"),
        ],
    )
    def test_impossible_replacements(self, replacement, value, field):
        with pytest.raises(u.ReadingError) as exc:
            u.consumption(D("100"), value, replacement)
        assert exc.value.field == field

    def test_negative_reading(self):
        with pytest.raises(u.ReadingError):
            u.consumption(D("0"), D("-1"))


class TestJumps:
    def test_more_than_three_times_the_average_is_flagged(self):
        assert u.unusual_jump(D("301"), [D("100"), D("90"), D("110")]) is not None
        assert u.unusual_jump(D("300"), [D("100"), D("90"), D("110")]) is None

    def test_no_history_or_zero_average_is_not_judged(self):
        assert u.unusual_jump(D("1000"), []) is None
        assert u.unusual_jump(D("1000"), [D("0"), D("0")]) is None

    def test_only_the_last_six_months_count(self):
        history = [D("1000")] * 6 + [D("10")] * 6
        assert u.unusual_jump(D("31"), history) is not None


class TestCharges:
    def test_flat_price_is_exact(self):
        exact, tiers = u.charge(D("1234.5"), D("80"))
        assert exact == D("98760.0") and tiers == []

    def test_tiers_split_the_quantity(self):
        tiers = u.parse_tiers(
            [{"up_to": "10", "price_fen": "350"}, {"up_to": None, "price_fen": "500"}]
        )
        exact, breakdown = u.charge(D("15"), D("410"), tiers)
        assert exact == D(10 * 350 + 5 * 500)
        assert [b["quantity"] for b in breakdown] == ["10.0000", "5.0000"]
        assert u.charge(D("4"), D("410"), tiers)[0] == D(1400)

    @pytest.mark.parametrize(
        "raw",
        [
            [{"up_to": "10", "price_fen": "1"}],  # last tier must be open
            [{"up_to": None, "price_fen": "1"}, {"up_to": None, "price_fen": "2"}],
            [
                {"up_to": "10", "price_fen": "1"},
                {"up_to": "5", "price_fen": "1"},
                {"up_to": None, "price_fen": "1"},
            ],
            [{"up_to": "x", "price_fen": "1"}],
            [{"up_to": None, "price_fen": "-1"}],
        ],
    )
    def test_malformed_tiers(self, raw):
        with pytest.raises(ValueError):
            u.parse_tiers(raw)

    @settings(max_examples=200, deadline=None)
    @given(
        q=st.decimals(min_value=0, max_value=10**9, places=4),
        p=st.decimals(min_value=0, max_value=10**5, places=4),
    )
    def test_flat_charge_rounds_like_the_money_rule(self, q, p):
        exact, _ = u.charge(q, p)
        assert exact == q * p or abs(exact - q * p) == 0  # no digit lost
        assert round_half_up_to_fen(exact) == round_half_up_to_fen(q * p)


class TestShares:
    def test_by_area_and_days(self):
        shares = u.common_shares(
            D("3000"),
            [
                u.ShareBasis(1, D("2000"), 31),
                u.ShareBasis(2, D("1000"), 31),
                u.ShareBasis(3, D("500"), 0),
            ],
            240_000,
        )
        assert set(shares) == {1, 2}
        assert round_half_up_to_fen(shares[1].quantity) == 2000
        assert u.display_quantity(shares[2].quantity) == D("1000.0000")
        assert (shares[1].amount_fen, shares[2].amount_fen) == (160_000, 80_000)

    def test_part_of_the_month_weighs_less(self):
        shares = u.common_shares(
            D("900"), [u.ShareBasis(1, D("100"), 30), u.ShareBasis(2, D("100"), 15)], 90_000
        )
        assert u.display_quantity(shares[1].quantity) == D("600.0000")
        assert shares[1].amount_fen == 60_000

    def test_three_equal_tenants_share_100_yuan_as_33_34_33_33_33_33(self):
        equal = [u.ShareBasis(cid, D("1800"), 30) for cid in (7, 3, 5)]
        shares = u.common_shares(D("100"), equal, 10_000)
        # The extra fen goes to the lowest contract id, whatever order the bases came in.
        assert [(cid, shares[cid].amount_fen) for cid in sorted(shares)] == [
            (3, 3_334),
            (5, 3_333),
            (7, 3_333),
        ]

    def test_nothing_leased_means_no_share(self):
        assert u.common_shares(D("100"), [], 10_000) == {}

    @settings(max_examples=200, deadline=None)
    @given(
        total=st.decimals(min_value=0, max_value=10**7, places=2),
        total_fen=st.integers(min_value=0, max_value=10**12),
        areas=st.lists(st.decimals(min_value=1, max_value=5000, places=2), min_size=1, max_size=30),
    )
    def test_shares_add_up_to_the_building(self, total, total_fen, areas):
        bases = [u.ShareBasis(i, a, 30) for i, a in enumerate(areas)]
        shares = u.common_shares(total, bases, total_fen)
        assert sum(s.amount_fen for s in shares.values()) == total_fen
        with localcontext() as ctx:
            ctx.prec = u.EXACT
            assert abs(sum(s.quantity for s in shares.values()) - total) < D("1e-40")
            assert abs(sum(s.fraction for s in shares.values()) - 1) < D("1e-40")
            for s in shares.values():
                assert abs(s.amount_fen - total_fen * s.fraction) < 1
