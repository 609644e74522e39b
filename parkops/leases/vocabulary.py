"""The words of a contract's history: what each stored event key is called, in the reader's
language (``submit`` is "Submitted for approval", 提交审批)."""

from __future__ import annotations

from parkops.core.i18n import N_, gettext
from parkops.leases.workflow import ContractAction

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
