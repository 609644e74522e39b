"""Bill lifecycle rules (and their agreement with the SQL status function's definition)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parkops.billing.models import BillStatus
from parkops.billing.rules import workflow as w


def test_drafts_are_issued_or_deleted_only():
    w.check("draft", "issue")
    w.check("draft", "delete")
    with pytest.raises(w.ActionRefused):
        w.check("draft", "void")


def test_paid_bills_cannot_be_voided():
    with pytest.raises(w.ActionRefused, match="paid bill cannot be voided"):
        w.check("paid", "void")
    with pytest.raises(w.ActionRefused, match="received money"):
        w.check("partially_paid", "void")
    w.check("issued", "void")


def test_issued_bills_cannot_be_issued_again():
    with pytest.raises(w.ActionRefused, match="already issued"):
        w.check("issued", "issue")


@given(total=st.integers(0, 10**9), paid=st.integers(0, 10**9), credited=st.integers(0, 10**9))
def test_status_from_amounts(total, paid, credited):
    if paid + credited > total:
        return
    status = w.status_from_amounts(total, paid, credited)
    open_fen = total - paid - credited
    assert (status in (BillStatus.paid, BillStatus.void)) == (open_fen == 0)
    assert (status is BillStatus.partially_paid) == (open_fen > 0 and paid > 0)
    assert (status is BillStatus.void) == (open_fen == 0 and paid == 0 and credited > 0)


def test_overdue_from_the_day_after_the_due_date():
    assert not w.is_overdue("issued", date(2026, 1, 5), date(2026, 1, 5))
    assert w.is_overdue("partially_paid", date(2026, 1, 5), date(2026, 1, 6))
    assert not w.is_overdue("paid", date(2026, 1, 5), date(2026, 3, 6))
    assert w.days_overdue(date(2026, 1, 5), date(2026, 1, 4)) == 0
