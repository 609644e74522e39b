"""Parsing what people type about terms, and the round trip through a terms row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parkops.core.last_day import end_after
from parkops.leases.rules import schedule as s
from parkops.leases.rules import terms as t


def parse(**raw):
    errors: dict[str, str] = {}
    return t.parse_terms({"rent_rate": "18", **raw}, errors), errors


def test_defaults():
    terms, errors = parse()
    assert errors == {}
    assert terms.cycle is s.PaymentCycle.QUARTERLY
    assert terms.late_fee_daily_rate == Decimal("0.0005")
    assert terms.vat_included is True and terms.vat_rate == Decimal("0.09")
    assert terms.deposit is None and terms.escalation is None


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"rent_rate": "-1"}, "rent_rate", "cannot be negative"),
        ({"rent_rate": "abc"}, "rent_rate", "not a number"),
        ({"rent_rate": "1.23456"}, "rent_rate", "at most 4 decimals"),
        ({"rent_rate": ""}, "rent_rate", "required"),
        ({"escalation_percent": "101"}, "escalation_percent", "at most 100"),
        ({"escalation_kind": "percent"}, "escalation_percent", "required"),
        ({"escalation_steps": "2027-01-01 20"}, "escalation_steps", "YYYY-MM-DD=rate"),
        ({"deposit_kind": "fixed", "deposit_amount": "1.234"}, "deposit_amount", "two decimals"),
        ({"deposit_kind": "months", "deposit_months": "0"}, "deposit_months", "at least 1"),
        ({"late_fee_daily_rate": "0.02"}, "late_fee_daily_rate", "at most"),
        ({"rent_start": "2026-03-01", "rent_free_months": "2"}, "rent_free_months", "either"),
        ({"cycle": "weekly"}, "cycle", "not one of"),
        ({"rent_start": "2026-13-01"}, "rent_start", "not a date"),
    ],
)
def test_bad_values_name_their_field(raw, field, message):
    terms, errors = parse(**raw)
    assert terms is None
    assert message in errors[field], errors


def test_checkboxes_and_json_values():
    terms, _ = parse(vat_included=["0", "1"], property_fee_during_rent_free=["0"])
    assert terms.vat_included is True and terms.property_fee_during_rent_free is False
    terms, _ = parse(rent_rate=18.5, late_fee_daily_rate=0.0005, vat_included=False)
    assert terms.rent_rate == Decimal("18.5") and terms.late_fee_daily_rate == Decimal("0.0005")
    assert terms.vat_included is False


def test_steps_from_text_and_from_json():
    text, _ = parse(escalation_steps="2027-01-01=20; 2028-01-01=21.5")
    steps = [
        {"effective_from": date(2027, 1, 1), "rate": "20"},
        {"effective_from": "2028-01-01", "rate": Decimal("21.5")},
    ]
    json, _ = parse(escalation_steps=steps)
    assert text.escalation == json.escalation
    assert [st.rate for st in text.escalation.steps] == [Decimal(20), Decimal("21.5")]


def test_row_and_form_round_trip():
    terms, errors = parse(
        rent_free_months="2",
        escalation_kind="percent",
        escalation_percent="5",
        escalation_max_increases="1",
        deposit_kind="fixed",
        deposit_amount="12,345.60",
        late_fee_cap_percent="30",
        cycle="monthly",
        due_kind="day_of_month",
        due_value="5",
    )
    assert errors == {}
    resolved = t.with_rent_start(terms, date(2026, 1, 31))
    assert resolved.rent_start == date(2026, 3, 31)
    assert t.from_row(t.row_values(resolved)) == resolved
    errors = {}
    again = t.parse_terms(t.form_values(resolved), errors)
    assert errors == {} and again == resolved
    assert resolved.deposit == s.DepositFixed(1_234_560)


def test_schedule_messages_land_on_form_fields():
    terms, _ = parse(rent_start="2029-06-01")
    lt = t.lease_terms(terms, date(2026, 1, 1), date(2029, 1, 1), Decimal("100"), Decimal("90"))
    errors: dict[str, str] = {}
    t.check_terms(lt, errors)
    assert "rent-free period" in errors["rent_start"]


def test_renewal_terms_raise_the_rate_in_force():
    terms, _ = parse(escalation_kind="percent", escalation_percent="5", rent_free_months="2")
    renewed = t.renewal_terms(terms, Decimal("19.845"), Decimal("3"))
    assert renewed.rent_rate == Decimal("20.4404")
    assert renewed.rent_start is None and renewed.rent_free_months is None
    assert renewed.escalation == s.PercentEscalation(Decimal("5"), 2, None)


@pytest.mark.parametrize(
    ("start", "last_day", "months", "days", "text"),
    [
        (date(2027, 1, 1), date(2029, 12, 31), 36, 0, "3 years 0 months"),
        (date(2027, 1, 1), date(2029, 12, 30), 35, 30, "2 years 11 months 30 days"),
        (date(2027, 1, 1), date(2030, 1, 1), 36, 1, "3 years 0 months 1 day"),
        (date(2026, 3, 15), date(2029, 3, 14), 36, 0, "3 years 0 months"),
        # Months as the schedule counts them: 01-31 + 1 month is 02-28.
        (date(2026, 1, 31), date(2026, 2, 27), 1, 0, "1 month"),
        (date(2026, 1, 31), date(2026, 3, 30), 2, 0, "2 months"),
        (date(2026, 4, 16), date(2027, 4, 30), 12, 15, "1 year 0 months 15 days"),
        (date(2026, 1, 1), date(2026, 1, 20), 0, 20, "20 days"),
        (date(2026, 1, 1), date(2027, 1, 31), 13, 0, "1 year 1 month"),
    ],
)
def test_term_length_counts_contract_months(start, last_day, months, days, text):
    end = end_after(last_day)
    length = t.term_length(start, end)
    assert (length.months, length.days) == (months, days)
    assert length.whole_months is (days == 0)
    assert length.text() == text
    # The whole months agree with the schedule's own month arithmetic.
    assert s.add_months(start, months) <= end < s.add_months(start, months + 1)


def test_the_nearest_whole_months_are_suggested():
    start = date(2027, 1, 1)
    # The old habit (the day after the last day) and a day short both point to 2029-12-31.
    assert t.nearest_whole_months_end(start, date(2030, 1, 2)) == date(2030, 1, 1)
    assert t.nearest_whole_months_end(start, date(2029, 12, 31)) == date(2030, 1, 1)
    assert t.nearest_whole_months_end(start, date(2027, 1, 10)) == date(2027, 2, 1)


def test_typed_term_length_reads_the_form():
    assert t.typed_term_length({"start_date": "2027-01-01", "last_day": "2029-12-31"}) == (
        t.TermLength(36, 0)
    )
    assert t.typed_term_length({"last_day": "2029-12-31"}, start=date(2027, 1, 1)) == (
        t.TermLength(36, 0)
    )
    assert t.typed_term_length({"start_date": "2027-01-01", "last_day": ""}) is None
    assert t.typed_term_length({"start_date": "2027-01-01", "last_day": "2026-12-30"}) is None
    assert t.typed_term_length({"start_date": "nope", "last_day": "2029-12-31"}) is None


def test_term_length_reads_in_chinese():
    from parkops.core import i18n
    from parkops.core.context import language_var

    token = language_var.set("zh")
    try:
        assert i18n.gettext(t.TermLength(36, 0).text()) == "3 年 0 个月"
        assert i18n.gettext(t.TermLength(35, 30).text()) == "2 年 11 个月 30 天"
        assert i18n.gettext(t.TermLength(1, 1).text()) == "1 个月 1 天"
    finally:
        language_var.reset(token)
