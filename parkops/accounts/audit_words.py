"""The audit log in words: every action key and its subject as a label in the reader's language.

Actions are stored as ``<subject>_<verb>`` keys (``billing_slip_reported``,
``lease_contract_submit``); people read "Payment slip: reported". A key this table does not know
is shown as it is stored; ``tests/integration/accounts/test_audit_words.py`` holds every key the
demo data writes to a label.
"""

from __future__ import annotations

from parkops.core.i18n import N_, gettext

# Longest subjects first, so "billing_credit_note" wins over "billing_credit".
SUBJECTS = {
    "billing_payment_slip": N_("Payment slip"),
    "billing_dunning": N_("Dunning letter"),
    "lease_reservation": N_("Reservation"),
    "enterprise_invitation": N_("Enterprise invitation"),
    "tickets_demo": N_("Ticket demo data"),
    "billing_credit_note": N_("Credit note"),
    "lease_park_settings": N_("Contract settings"),
    "billing_adjustment": N_("Bill adjustment"),
    "billing_draft_line": N_("Draft bill line"),
    "enterprise_status": N_("Enterprise status"),
    "billing_settings": N_("Billing settings"),
    "billing_deposit": N_("Deposit"),
    "billing_payment": N_("Payment"),
    "billing_reading": N_("Meter reading"),
    "enterprise_user": N_("Enterprise user"),
    "ticket_category": N_("Ticket category"),
    "billing_credit": N_("Credit"),
    "billing_tariff": N_("Tariff"),
    "lease_contract": N_("Lease contract"),
    "unit_occupancy": N_("Unit occupancy"),
    "billing_draft": N_("Draft bill"),
    "billing_meter": N_("Meter"),
    "calendar_year": N_("Working-day calendar year"),
    "billing_bill": N_("Bill"),
    "billing_slip": N_("Payment slip"),
    "calendar_day": N_("Working-day calendar day"),
    "ticket_files": N_("Ticket attachments"),
    "billing_run": N_("Billing run"),
    "enterprises": N_("Enterprises"),
    "lease_terms": N_("Lease terms"),
    "reservation": N_("Reservation"),
    "department": N_("Department"),
    "enterprise": N_("Enterprise"),
    "lease_demo": N_("Lease demo data"),
    "user_roles": N_("User roles"),
    "api_token": N_("API token"),
    "document": N_("Document"),
    "password": N_("Password"),
    "building": N_("Building"),
    "tickets": N_("Tickets"),
    "ticket": N_("Ticket"),
    "phase": N_("Phase"),
    "floor": N_("Floor"),
    "demo": N_("Demo data"),
    "unit": N_("Unit"),
    "user": N_("User"),
    "park": N_("Park"),
}
VERBS = {
    "created": N_("created"),
    "updated": N_("changed"),
    "edited": N_("edited"),
    "deleted": N_("deleted"),
    "changed": N_("changed"),
    "set": N_("set"),
    "filled": N_("filled in"),
    "added": N_("added"),
    "applied": N_("applied"),
    "refunded": N_("refunded"),
    "issued": N_("issued"),
    "recorded": N_("recorded"),
    "confirmed": N_("confirmed"),
    "rejected": N_("rejected"),
    "reported": N_("reported"),
    "ended": N_("ended"),
    "completed": N_("completed"),
    "started": N_("started"),
    "loaded": N_("loaded"),
    "swept": N_("deadlines checked"),
    "imported": N_("imported"),
    "accepted": N_("accepted"),
    "revoked": N_("revoked"),
    "invited": N_("invited"),
    "saved": N_("saved"),
    "amended": N_("amended"),
    "expired": N_("expired"),
    "released": N_("released"),
    "filed": N_("filed"),
    "rated": N_("rated"),
    "merged": N_("merged"),
    "split": N_("split"),
    "enabled": N_("enabled"),
    "submit": N_("submitted for approval"),
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "cancel": N_("cancelled"),
    "expire": N_("expired"),
    "terminate": N_("terminated"),
    "mark_renewed": N_("marked as renewed"),
    "accept": N_("accepted"),
    "merge": N_("merged"),
    "dispatch": N_("dispatched"),
    "redispatch": N_("dispatched again"),
    "start": N_("handling started"),
    "request_info": N_("more information requested"),
    "provide_info": N_("information provided"),
    "return": N_("returned"),
    "reply": N_("replied"),
    "request_extension": N_("extension requested"),
    "approve_extension": N_("extension approved"),
    "deny_extension": N_("extension denied"),
    "rate_satisfied": N_("rated satisfied"),
    "rate_dissatisfied": N_("rated dissatisfied"),
    "close": N_("closed"),
    "follow_up_close": N_("closed after follow-up"),
    "withdraw": N_("withdrawn"),
    "void": N_("voided"),
    "correction": N_("corrected"),
    "late_fee_waiver": N_("late fee waived"),
    "received": N_("received"),
    "topped_up": N_("topped up"),
    "deducted_arrears": N_("deducted for arrears"),
    "deducted_damages": N_("deducted for damages"),
}
VERBS["create"] = VERBS["created"]
WHOLE = {
    "login": N_("Signed in"),
    "logout": N_("Signed out"),
    "note": N_("Note"),
    "ticket_note": N_("Ticket note"),
}


def action_label(action: str) -> str:
    """ "Payment slip: reported" for ``billing_slip_reported``; unknown keys as stored."""
    if action in WHOLE:
        return gettext(WHOLE[action])
    for subject, label in SUBJECTS.items():
        verb = action.removeprefix(subject + "_")
        if verb != action and verb in VERBS:
            words = {"subject": gettext(label), "verb": gettext(VERBS[verb])}
            return gettext("%(subject)s: %(verb)s") % words
    return action


def entity_label(entity: str) -> str:
    """What an audit row is about (``lease_contract`` -> "Lease contract"), translated."""
    label = SUBJECTS.get(entity) or SUBJECTS.get(entity.removeprefix("billing_"))
    return gettext(label) if label else entity
