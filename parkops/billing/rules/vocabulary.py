"""The words of billing documents: what each stored key is called, in the reader's language.

Keys (charge types, payment methods, statuses, the rounding rule, payment cycles...) are stored in
CHECK-constrained columns and never shown to people. Each has an English source string here,
translated like every other label (``parkops/locale``): pages translate them with ``_()``, and
documents or exports in a fixed language use :func:`text`. One list per kind of key, so a page,
a PDF and a spreadsheet always call a thing by the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parkops.billing.models import (
    AllocationSource,
    ChargeType,
    CreditNoteKind,
    PaymentMethod,
    SlipStatus,
)
from parkops.core.i18n import N_, translations
from parkops.core.money import ROUNDING_POLICY

CHARGE_LABELS = {
    ChargeType.rent: N_("Rent"),
    ChargeType.property_fee: N_("Property management fee"),
    ChargeType.electricity: N_("Electricity charge"),
    ChargeType.water: N_("Water charge"),
    ChargeType.common_electricity: N_("Common-area electricity"),
    ChargeType.common_water: N_("Common-area water"),
    ChargeType.late_fee: N_("Late fee"),
    ChargeType.adjustment: N_("Adjustment"),
}
CREDIT_NOTES = "credit_notes"
"""The revenue report's row of credit notes, next to the charge types."""
REVENUE_LABELS = {**CHARGE_LABELS, CREDIT_NOTES: N_("Credit notes")}

METHOD_LABELS = {
    PaymentMethod.bank_transfer: N_("Bank transfer"),
    PaymentMethod.cash: N_("Cash"),
    PaymentMethod.wechat_pay: N_("WeChat Pay"),
    PaymentMethod.alipay: N_("Alipay"),
    PaymentMethod.deposit: N_("Deposit applied"),
}
SOURCE_LABELS = {
    AllocationSource.payment: N_("payment"),
    AllocationSource.credit: N_("credit"),
    AllocationSource.deposit: N_("deposit"),
}
CREDIT_NOTE_LABELS = {
    CreditNoteKind.void: N_("Bill voided"),
    CreditNoteKind.correction: N_("Correction"),
    CreditNoteKind.late_fee_waiver: N_("Late fee waived"),
}
SLIP_STATUS_LABELS = {
    SlipStatus.pending: N_("Awaiting confirmation"),
    SlipStatus.confirmed: N_("Confirmed"),
    SlipStatus.rejected: N_("Rejected"),
}
ROUNDING_LABELS = {ROUNDING_POLICY: N_("Each line rounded once, half-up to the fen")}
CYCLE_LABELS = {  # the contracts' payment cycles (leases), as billing reports show them
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "half_yearly": N_("Half-yearly"),
    "yearly": N_("Yearly"),
}


def text(labels: Mapping[Any, str], key: str, lang: str) -> str:
    """The label of ``key`` in ``lang`` (``zh`` or ``en``), for documents and exports whose
    language is fixed rather than the request's. An unknown key is shown as it is."""
    return translations(lang).gettext(labels.get(key, key))


def bilingual(labels: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``{key: (English, Chinese)}``: the options of an export column (``core.tabular.choice``)."""
    return {key: (text(labels, key, "en"), text(labels, key, "zh")) for key in labels}
