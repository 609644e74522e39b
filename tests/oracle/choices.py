"""What the oracle decides where docs/DOMAIN.md leaves a choice, in one place.

Each entry is a rule the product documents for itself (its module docstrings) that DOMAIN.md
does not fix; the oracle follows it so the two can be compared fen for fen. Change one here and
the comparison says where the product differs.
"""

from __future__ import annotations

# --- the rent schedule --------------------------------------------------------------------------

CONTRACT_MONTHS_ANCHORED_ON_START = True
"""Months of a contract run from its start day to the same day of the next month (clamped to
the month's last day, always counted from the start so they never drift); billing periods are
1, 3, 6 or 12 of them; the last one is cut at the term's last day."""

PARTIAL_MONTH_CAPPED_AT_WHOLE = True
"""A partial contract month costs days used / days in each calendar month it touches (DOMAIN),
never more than the whole month would (a partial month straddling February could otherwise
exceed it)."""

PROPERTY_FEE_IN_RENT_FREE_MONTHS = "contract setting"
"""Whether the property fee is due in the rent-free months is the contract's
``property_fee_during_rent_free`` (DOMAIN: "the contract's setting decides")."""

DUE_DATE_FLOOR = "signing date, else the start"
"""No instalment is due before the contract is signed (or, without a signing date, before the
term starts): the first due date of a contract signed late is its signing date. An amendment
keeps that floor."""

# --- billing runs ---------------------------------------------------------------------------------

RUN_BILLS_LINES_DUE_BY_MONTH_END = True
"""The run for month M bills every schedule line due by the end of M that was never billed
(catch-up, looking back at most 12 months), and meter readings of months before M."""

NON_SCHEDULE_LINES_DUE_AFTER_RUN_DAYS = 10
"""Utility, common-area and late-fee lines are due the park's ``utility_due_days`` (10 unless
set) after the run date: they are billed in arrears, on the bill's issue date."""

ZERO_LINES_IGNORED = True
"""A zero-amount line (the rent line of a rent-free period whose property fee is still due)
is not money: the comparison looks at lines with an amount."""

COMMON_SHARE_FIXED_AT_FIRST_BILLING = True
"""A common meter's reading is charged for the building once and divided once, by leased area
x days in the reading's month, over the binding contracts the first run that bills it finds; a
contract approved later is not charged a share of it (its parts already add up to the whole)."""

# --- late fees ------------------------------------------------------------------------------------

LATE_FEE_CHARGED_UP_TO_RUN_MONTH = True
"""The run for M charges late fees for the days before min(first of M, run date), each line's
fee for the days since its last charge, rounded half-up per charge; a charge that rounds to
zero is not made (the next one starts where the last *made* one stopped)."""

PAYMENT_COUNTS_FROM_ITS_DAY = True
"""A payment received on day D stops the fee from day D on (D itself is not charged)."""

LATE_FEE_CAP_BASE = "principal unpaid on the first overdue day"
"""The cap is the contract's percentage of the line's principal still unpaid when it fell
overdue, rounded half-up, over all charges on that line together."""

# --- payments -------------------------------------------------------------------------------------

ALLOCATION_ORDER = "oldest due bill first; in a bill, principal by due date, late fees last"
"""The park's default (oldest_due_first): a payment fills the open bills by (bill due date, bill
number); what is left is credit, used on the next bills when a run issues them (effective on
the run date). Inside a bill, money pays principal lines by (due date, position on the bill),
late-fee lines after all principal."""

LINE_ORDER = (
    "rent",
    "property_fee",
    "electricity",
    "water",
    "common_electricity",
    "common_water",
    "late_fee",
    "adjustment",
)
"""The order of lines on a bill (then by period / source), which breaks ties above."""

# --- what the generated cases stay clear of -------------------------------------------------------

CHANGES_ONLY_TO_PERIODS_NOT_BILLED = True
"""Amendments and early ends in the random cases take effect from the first period not billed
yet: a change to a billed period is settled by corrections (credit notes, adjustments), which
the oracle does not model yet."""

NO_END_BEFORE_SIGNING = True
"""An early end is never before the signing date: the product cannot compute such a cut period
(its terms are refused as "signing date after the end") and that is not settled yet."""
