"""The words the leases pages show for codes: contract statuses and actions, the choices of
the terms form, reservation and unit statuses, and what each stored contract event key is
called in the reader's language (``submit`` is "Submitted for approval", 提交审批)."""

from __future__ import annotations

from parkops.core.i18n import N_, gettext
from parkops.inventory.vocabulary import UNIT_STATUS_LABELS
from parkops.leases.models import ReservationStatus
from parkops.leases.rules.workflow import (
    ACTION_LABELS,
    STATUS_LABELS,
    ContractAction,
    ContractStatus,
)

CHOICES = {
    "rent_basis": [
        ("per_m2_month", N_("元/m²·month")),
        ("per_m2_day", N_("元/m²·day")),
        ("fixed_monthly", N_("Fixed monthly amount (元)")),
    ],
    "area_basis": [("gross", N_("Gross floor area")), ("leasable", N_("Leasable area"))],
    "property_fee_area_basis": [
        ("", N_("Same as rent")),
        ("gross", N_("Gross")),
        ("leasable", N_("Leasable")),
    ],
    "cycle": [
        ("monthly", N_("Monthly")),
        ("quarterly", N_("Quarterly")),
        ("half_yearly", N_("Half-yearly")),
        ("yearly", N_("Yearly")),
    ],
    "due_kind": [
        ("days_before", N_("N days before the period starts")),
        ("day_of_month", N_("By day N of the period's first month")),
    ],
    "proration": [
        ("by_days", N_("By days")),
        ("started_month_whole", N_("A started month counts whole")),
    ],
    "escalation_kind": [
        ("none", N_("None")),
        ("percent", N_("Yearly percentage")),
        ("steps", N_("Explicit rates from dates")),
    ],
    "escalation_anchor": [
        ("start", N_("The term start")),
        ("rent_start", N_("The rent start date")),
    ],
    "deposit_kind": [
        ("none", N_("None")),
        ("months", N_("Months of rent")),
        ("fixed", N_("Fixed amount")),
    ],
    "language": [("zh", N_("Chinese")), ("zh_en", N_("Chinese with English"))],
}
LABELS = {
    "status_labels": STATUS_LABELS,
    "action_labels": ACTION_LABELS,
    "statuses": list(ContractStatus),
    "choices": CHOICES,
    "choice_labels": {name: dict(pairs) for name, pairs in CHOICES.items()},
    "reservation_statuses": ["live", *[s.value for s in ReservationStatus if s != "active"]],
    "reservation_labels": {
        "live": N_("Holding"),
        "active": N_("Holding"),
        "expired": N_("Expired"),
        "released": N_("Released"),
        "converted": N_("Taken up by a contract"),
    },
    "unit_status_labels": {k.value: v for k, v in UNIT_STATUS_LABELS.items()},
}

EVENT_LABELS = {
    "create": N_("Contract drafted"),
    "edit": N_("Draft edited"),
    "amend": N_("Terms amended"),
    "renewal_drafted": N_("Renewal drafted"),
    ContractAction.submit: N_("Submitted for approval"),
    ContractAction.approve: N_("Approved"),
    ContractAction.reject: N_("Sent back"),
    ContractAction.cancel: N_("Cancelled"),
    ContractAction.expire: N_("Expired"),
    ContractAction.terminate: N_("Terminated"),
    ContractAction.mark_renewed: N_("Marked as renewed"),
}


def event_label(action: str) -> str:
    """The translated label of a contract event key; an unknown key as stored."""
    label = EVENT_LABELS.get(action)
    return gettext(label) if label else action
