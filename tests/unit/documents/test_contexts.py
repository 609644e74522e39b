"""What the lease contract context derives for the template (pure, no rendering)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from parkops.documents.contexts import per_day_rate_zh, percent_text
from parkops.documents.samples import LESSEE, LESSOR, sample_lease_contract
from parkops.enterprises.rules.uscc import is_valid_uscc


def test_daily_rates_are_worded_as_contracts_do():
    assert per_day_rate_zh(Decimal("0.0005")) == "万分之五"
    assert per_day_rate_zh(Decimal("0.002")) == "千分之二"
    assert per_day_rate_zh(Decimal("0.0012")) == "万分之十二"
    assert per_day_rate_zh(Decimal("0.00035")) == "0.035%"
    assert percent_text(Decimal("0.0005") * 100) == "0.05%"
    assert percent_text(Decimal("5.00")) == "5%"


def test_sample_contract_shape():
    c = sample_lease_contract()
    assert len(c.units) == 10
    assert len(c.schedule) == 12  # three years, quarterly
    assert c.term_last_day == date(2029, 2, 28)
    assert c.term_months == 36
    assert c.rent_free_last_day == date(2026, 4, 30) and c.rent_free_days == 61
    assert c.monthly_rent_fen == sum(u.monthly_rent_fen for u in c.units)
    assert c.deposit_fen == 2 * c.monthly_rent_fen
    assert c.schedule_total_fen == c.schedule_rent_fen + c.schedule_property_fee_fen
    # The schedule covers the term without gaps or overlaps.
    assert c.schedule[0].start == c.term_start and c.schedule[-1].end == c.term_end
    assert all(a.end == b.start for a, b in zip(c.schedule, c.schedule[1:], strict=False))
    # The first period is partly rent-free: one month of rent out of three.
    assert c.schedule[0].rent_fen == c.monthly_rent_fen
    assert c.schedule[0].note == "含免租期"
    assert is_valid_uscc(LESSOR.uscc) and is_valid_uscc(LESSEE.uscc)


def test_no_rent_free_period_when_rent_starts_with_the_term():
    c = replace(sample_lease_contract(), rent_start=date(2026, 3, 1))
    assert c.rent_free_last_day is None and c.rent_free_days == 0


def test_the_term_is_worded_in_years_months_and_days():
    c = sample_lease_contract()
    worded = {
        (36, 0): ("3年", "3 years"),
        (42, 0): ("3年6个月", "3 years 6 months"),
        (11, 0): ("11个月", "11 months"),
        (12, 15): ("1年15天", "1 year 15 days"),
        (35, 30): ("2年11个月30天", "2 years 11 months 30 days"),
        (13, 1): ("1年1个月1天", "1 year 1 month 1 day"),
        (0, 20): ("20天", "20 days"),
    }
    for (months, days), (zh, en) in worded.items():
        term = replace(c, term_months=months, term_days=days)
        assert (term.term_length_zh, term.term_length_en) == (zh, en)
