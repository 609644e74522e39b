"""The terms of a contract cut short by an early end, for the schedule of its last period.

Pure. A termination recomputes the period it cuts with the contract's terms and the new end.
Two parts of the terms may then lie wholly after that end, which the schedule would (rightly,
for a contract being drawn up) refuse: a rent-free period that covers the whole shortened term
(a contract ended before its rent start date, 起租日) and rent steps dated after the end. Cut
short, the first means no rent at all (and the property fee only when it is due in the
rent-free months); the second means steps that never take effect.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from parkops.leases.rules import schedule as sched
from parkops.leases.rules.terms import TermsInput


def cut_short(terms: TermsInput, start: date, end: date | None) -> TermsInput:
    """``terms`` for the term ``[start, end)`` of a contract ended early (``end`` None: as
    they are)."""
    if end is None:
        return terms
    esc = terms.escalation
    if isinstance(esc, sched.StepEscalation):
        steps = tuple(s for s in esc.steps if s.effective_from < end)
        terms = replace(terms, escalation=sched.StepEscalation(steps) if steps else None)
    rent_start = terms.rent_start_for(start)
    if rent_start is None or rent_start < end:
        return terms
    fee = terms.property_fee_rate if terms.property_fee_during_rent_free else Decimal(0)
    return replace(
        terms,
        rent_rate=Decimal(0),
        rent_start=None,
        rent_free_months=None,
        escalation=None,
        property_fee_rate=fee,
    )
