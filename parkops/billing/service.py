"""Use cases on bills: reading them (scoped), issuing drafts, voiding, credit notes, waiving late
fees, adjustments for the next bill, and the per-park billing settings.

Services flush, never commit. An issued bill is never edited: the database refuses it (see
``models``); here the same rules give the friendly messages first. Money taken off an issued bill
is a credit note, never more than what is open on it; a correction of money already paid is an
adjustment on the contract's next bill.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.billing import payments
from parkops.billing.models import (
    Adjustment,
    Allocation,
    Bill,
    BillingParkSettings,
    BillLine,
    BillStatus,
    ChargeType,
    CreditNote,
    CreditNoteKind,
    Payment,
)
from parkops.billing.rules import late_fees, workflow
from parkops.billing.rules.allocation import AllocationPolicy
from parkops.billing.run import shanghai_today
from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.context import language_var
from parkops.core.errors import Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.money import format_fen, yuan_to_fen
from parkops.core.pagination import Page, paginate
from parkops.core.rows import get_or_404
from parkops.db.base import utcnow

BILL_FIELDS = (
    "enterprise_id",
    "contract_id",
    "run_month",
    "status",
    "issue_date",
    "due_date",
    "total_fen",
    "paid_fen",
    "credited_fen",
)


def bill_number(bill_id: int, run_month: date) -> str:
    """How a bill is named on screen and on paper: ZD-202612-000123."""
    return f"ZD-{run_month:%Y%m}-{bill_id:06d}"


def scoped(stmt: sa.Select, user: CurrentUser | None) -> sa.Select:
    """Staff see every bill; an enterprise user their enterprise's; nobody else any."""
    if user is None or user.is_staff:
        return stmt
    if user.has(Role.enterprise_user) and user.enterprise_id is not None:
        return stmt.where(Bill.enterprise_id == user.enterprise_id, Bill.status != "draft")
    return stmt.where(sa.false())


async def get_bill(db: AsyncSession, user: CurrentUser | None, bill_id: int) -> Bill:
    bill = await db.scalar(
        scoped(sa.select(Bill).where(Bill.id == bill_id), user).execution_options(
            populate_existing=True
        )
    )
    if bill is None:
        raise NotFound(N_("No such bill"))
    return bill


async def lock_bill(db: AsyncSession, bill_id: int) -> Bill:
    enterprise_id = await db.scalar(sa.select(Bill.enterprise_id).where(Bill.id == bill_id))
    if enterprise_id is None:
        raise NotFound(N_("No such bill"))
    await payments.lock_enterprise(db, enterprise_id)
    bill = await db.scalar(
        sa.select(Bill)
        .where(Bill.id == bill_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert bill is not None
    return bill


def _refused(exc: workflow.ActionRefused) -> Conflict:
    return Conflict(exc.args[0])


# --- reading --------------------------------------------------------------------------------


def list_statement(
    user: CurrentUser | None,
    *,
    status: str | None = None,
    month: date | None = None,
    enterprise_id: int | None = None,
    contract_id: int | None = None,
    overdue: bool = False,
    today: date | None = None,
) -> sa.Select:
    from parkops.billing.repository import contract_number_column, enterprise_name_column

    today = today or shanghai_today()
    stmt = sa.select(
        Bill.id,
        Bill.enterprise_id,
        Bill.contract_id,
        Bill.run_month,
        Bill.status,
        Bill.issue_date,
        Bill.due_date,
        Bill.total_fen,
        Bill.paid_fen,
        Bill.credited_fen,
        (Bill.total_fen - Bill.paid_fen - Bill.credited_fen).label("open_fen"),
        enterprise_name_column(Bill.enterprise_id).label("enterprise_name"),
        contract_number_column(Bill.contract_id).label("contract_number"),
    ).order_by(Bill.due_date.desc(), Bill.id.desc())
    if status == "overdue":
        overdue, status = True, None
    if status:
        stmt = stmt.where(Bill.status == status)
    if month:
        stmt = stmt.where(Bill.run_month == month)
    if enterprise_id:
        stmt = stmt.where(Bill.enterprise_id == enterprise_id)
    if contract_id:
        stmt = stmt.where(Bill.contract_id == contract_id)
    if overdue:
        stmt = stmt.where(Bill.status.in_(payments.OPEN), Bill.due_date < today)
    return scoped(stmt, user)


async def list_bills(
    db: AsyncSession,
    user: CurrentUser | None,
    *,
    page: int = 1,
    page_size: int = 20,
    **filters: Any,
) -> Page:
    result = await paginate(db, list_statement(user, **filters), page=page, page_size=page_size)
    today = filters.get("today") or shanghai_today()
    for row in result.items:
        row["number"] = bill_number(row["id"], row["run_month"])
        row["overdue"] = workflow.is_overdue(row["status"], row["due_date"], today)
    return result


async def bill_view(
    db: AsyncSession, user: CurrentUser | None, bill_id: int, today: date | None = None
) -> dict:
    from parkops.billing.repository import bill_parties

    today = today or shanghai_today()
    bill = await get_bill(db, user, bill_id)
    lines = list(
        (
            await db.execute(
                sa.select(BillLine).where(BillLine.bill_id == bill_id).order_by(BillLine.id)
            )
        ).scalars()
    )
    allocations = [
        dict(r)
        for r in (
            await db.execute(
                sa.select(
                    Allocation.payment_id,
                    Allocation.amount_fen,
                    Allocation.effective_on,
                    Allocation.source,
                    Allocation.created_at,
                    Payment.method,
                    Payment.reference,
                    Payment.received_on,
                )
                .join(Payment, Payment.id == Allocation.payment_id)
                .where(Allocation.bill_id == bill_id)
                .order_by(Allocation.id)
            )
        ).mappings()
    ]
    language = language_var.get()
    line_texts = {
        ln.id: text
        for ln in lines
        if ln.charge_type == ChargeType.late_fee
        and (text := late_fees.describe(ln.detail, language)) is not None
    }
    notes = list(
        (
            await db.execute(
                sa.select(CreditNote).where(CreditNote.bill_id == bill_id).order_by(CreditNote.id)
            )
        ).scalars()
    )
    waived: dict[int, int] = {}
    for note in notes:
        if note.bill_line_id:
            waived[note.bill_line_id] = waived.get(note.bill_line_id, 0) + note.amount_fen
    return {
        "bill": bill,
        "number": bill_number(bill.id, bill.run_month),  # type: ignore[arg-type]
        "lines": lines,
        "line_texts": line_texts,  # line id -> text in the reader's language, where it has one
        "allocations": allocations,
        "credit_notes": notes,
        "waived": waived,
        "open_fen": bill.open_fen,
        "overdue": workflow.is_overdue(bill.status, bill.due_date, today),
        "days_overdue": workflow.days_overdue(bill.due_date, today)
        if workflow.is_overdue(bill.status, bill.due_date, today)
        else 0,
        **await bill_parties(db, bill.enterprise_id, bill.contract_id),
    }


# --- drafts ---------------------------------------------------------------------------------


async def issue_bill(
    db: AsyncSession, actor: Actor, bill_id: int, today: date | None = None
) -> Bill:
    """Freeze a draft: its total becomes the sum of its lines; credit is applied to it."""
    today = today or shanghai_today()
    bill = await lock_bill(db, bill_id)
    try:
        workflow.check(bill.status, workflow.BillAction.issue)
    except workflow.ActionRefused as exc:
        raise _refused(exc) from None
    total, first_due = (
        await db.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(BillLine.amount_fen), 0),
                sa.func.min(BillLine.due_date),
            ).where(BillLine.bill_id == bill_id)
        )
    ).one()
    if int(total) < 0:
        raise ValidationFailed(N_("A bill cannot be issued with a negative total."))
    await db.execute(
        sa.update(Bill)
        .where(Bill.id == bill_id)
        .values(
            total_fen=int(total),
            due_date=first_due or bill.due_date,  # the earliest line's, lines added included
            status=workflow.status_from_amounts(int(total), 0, 0).value,
            issued_at=utcnow(),
        )
    )
    audit.record(
        db,
        actor=actor,
        action="billing_bill_issued",
        entity="billing_bill",
        entity_id=bill_id,
        after={"total_fen": int(total)},
    )
    await payments.apply_credit(db, actor, [bill.enterprise_id], today)
    return await get_bill(db, None, bill_id)


async def issue_run_drafts(db: AsyncSession, actor: Actor, run_id: int) -> int:
    """Issue every draft of a run (a run started with ``--draft``)."""
    ids = list(
        (
            await db.execute(
                sa.select(Bill.id)
                .where(Bill.run_id == run_id, Bill.status == "draft")
                .order_by(Bill.id)
            )
        ).scalars()
    )
    for bill_id in ids:
        await issue_bill(db, actor, bill_id)
    return len(ids)


async def add_draft_line(db: AsyncSession, actor: Actor, bill_id: int, raw: Mapping[str, Any]):
    """An adjustment line (positive or negative) on a draft."""
    errors: dict[str, str] = {}
    amount = _signed_amount(raw, errors)
    description = str(raw.get("description") or "").strip()
    if not description:
        errors["description"] = N_("Describe the adjustment.")
    elif len(description) > 500:
        errors["description"] = N_("At most 500 characters.")
    if errors:
        raise ValidationFailed(N_("The line was not added."), field_errors=errors)
    bill = await lock_bill(db, bill_id)
    if bill.status != BillStatus.draft:
        raise Conflict(
            N_("Only draft bills can be changed; correct an issued bill with a credit note.")
        )
    settings = await park_settings(db, bill.park_id)
    line = BillLine(
        bill_id=bill_id,
        charge_type=ChargeType.adjustment,
        description=description,
        quantity=1,
        unit_price_fen=amount,
        amount_fen=amount,  # type: ignore[arg-type]
        # Like every line outside the rent schedule: the park's days after the issue date.
        due_date=bill.issue_date + timedelta(days=settings.utility_due_days),
    )
    db.add(line)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_draft_line_added",
        entity="billing_bill",
        entity_id=bill_id,
        after={"amount_fen": amount, "description": description},
    )
    return line


async def delete_draft(db: AsyncSession, actor: Actor, bill_id: int) -> None:
    bill = await lock_bill(db, bill_id)
    try:
        workflow.check(bill.status, workflow.BillAction.delete)
    except workflow.ActionRefused as exc:
        raise _refused(exc) from None
    before = audit.snapshot(bill, *BILL_FIELDS)
    await db.execute(sa.delete(Bill).where(Bill.id == bill_id))
    audit.record(
        db,
        actor=actor,
        action="billing_draft_deleted",
        entity="billing_bill",
        entity_id=bill_id,
        before=before,
    )


# --- credit notes ---------------------------------------------------------------------------


def _signed_amount(raw: Mapping[str, Any], errors: dict, field: str = "amount") -> int | None:
    if raw.get(f"{field}_fen") not in (None, ""):
        try:
            value = int(raw[f"{field}_fen"])
        except (TypeError, ValueError):
            errors[field] = N_("The amount must be a whole number of fen.")
            return None
    else:
        try:
            value = yuan_to_fen(str(raw.get(field) or "").strip())
        except ValueError as exc:
            errors[field] = str(exc) if raw.get(field) else N_("Enter the amount.")
            return None
    if value == 0:
        errors[field] = N_("The amount cannot be zero.")
        return None
    return value


def _reason(raw: Mapping[str, Any], errors: dict) -> str:
    reason = str(raw.get("reason") or "").strip()
    if not reason:
        errors["reason"] = N_("Give the reason.")
    elif len(reason) > 1000:
        errors["reason"] = N_("At most 1000 characters.")
    return reason


async def make_credit_note(
    db: AsyncSession,
    actor: Actor,
    bill: Bill,
    kind: CreditNoteKind,
    amount: int,
    reason: str,
    line_id: int | None = None,
) -> CreditNote:
    note = CreditNote(
        bill_id=bill.id,  # type: ignore[arg-type]
        enterprise_id=bill.enterprise_id,
        kind=kind,
        amount_fen=amount,
        reason=reason,
        bill_line_id=line_id,
        created_by=actor_id(actor),
    )
    db.add(note)
    await db.flush()
    after = await get_bill(db, None, bill.id)  # type: ignore[arg-type]
    audit.record(
        db,
        actor=actor,
        action=f"billing_credit_note_{kind.value}",
        entity="billing_bill",
        entity_id=bill.id,
        before={"status": bill.status, "credited_fen": bill.credited_fen},
        after={
            "credit_note_id": note.id,
            "amount_fen": amount,
            "reason": reason,
            "bill_line_id": line_id,
            "status": after.status,
            "credited_fen": after.credited_fen,
        },
    )
    return note


async def void_bill(
    db: AsyncSession, actor: Actor, bill_id: int, raw: Mapping[str, Any]
) -> CreditNote:
    """Void an issued bill on which nothing was paid, by a credit note for all of it."""
    errors: dict[str, str] = {}
    reason = _reason(raw, errors)
    if errors:
        raise ValidationFailed(N_("The bill was not voided."), field_errors=errors)
    bill = await lock_bill(db, bill_id)
    try:
        workflow.check(bill.status, workflow.BillAction.void)
    except workflow.ActionRefused as exc:
        raise _refused(exc) from None
    return await make_credit_note(db, actor, bill, CreditNoteKind.void, bill.open_fen, reason)


async def credit_bill(
    db: AsyncSession, actor: Actor, bill_id: int, raw: Mapping[str, Any]
) -> CreditNote:
    """Take part of what is open off an issued bill (a correction)."""
    errors: dict[str, str] = {}
    amount = payments.parse_amount(raw, errors)
    reason = _reason(raw, errors)
    if errors:
        raise ValidationFailed(N_("No credit note was made."), field_errors=errors)
    bill = await lock_bill(db, bill_id)
    try:
        workflow.check(bill.status, workflow.BillAction.credit)
    except workflow.ActionRefused as exc:
        raise _refused(exc) from None
    if amount > bill.open_fen:  # type: ignore[operator]
        raise ValidationFailed(
            N_("No credit note was made."),
            field_errors={
                "amount": Message(
                    N_(
                        "Only %(amount)s yuan is open on this bill; correct money already paid"
                        " with an adjustment on the next bill."
                    ),
                    amount=format_fen(bill.open_fen),
                )
            },
        )
    return await make_credit_note(db, actor, bill, CreditNoteKind.correction, amount, reason)  # type: ignore[arg-type]


async def waive_late_fee(
    db: AsyncSession, actor: Actor, line_id: int, raw: Mapping[str, Any]
) -> CreditNote:
    """Waive a late-fee line (all of it, or ``amount``) with a reason: a credit note naming it."""
    errors: dict[str, str] = {}
    reason = _reason(raw, errors)
    amount = None
    if str(raw.get("amount") or raw.get("amount_fen") or "").strip():
        amount = payments.parse_amount(raw, errors)
    line = await get_or_404(db, BillLine, line_id, N_("No such bill line"))
    if line.charge_type != ChargeType.late_fee:
        raise ValidationFailed(N_("Only late fees can be waived."))
    if errors:
        raise ValidationFailed(N_("The late fee was not waived."), field_errors=errors)
    bill = await lock_bill(db, line.bill_id)
    try:
        workflow.check(bill.status, workflow.BillAction.waive)
    except workflow.ActionRefused as exc:
        raise _refused(exc) from None
    waived = int(
        await db.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(CreditNote.amount_fen), 0)).where(
                CreditNote.bill_line_id == line_id
            )
        )
    )
    room = min(line.amount_fen - waived, bill.open_fen)
    amount = room if amount is None else amount
    if room <= 0 or amount > room:
        raise ValidationFailed(
            N_("The late fee was not waived."),
            field_errors={
                "amount": Message(
                    N_("At most %(amount)s yuan can be waived."), amount=format_fen(max(room, 0))
                )
            },
        )
    return await make_credit_note(
        db, actor, bill, CreditNoteKind.late_fee_waiver, amount, reason, line_id
    )


async def add_adjustment(
    db: AsyncSession, actor: Actor, contract_id: int, raw: Mapping[str, Any]
) -> Adjustment:
    """A charge (positive) or a credit (negative) for the contract's next bill."""
    errors: dict[str, str] = {}
    amount = _signed_amount(raw, errors)
    reason = _reason(raw, errors)
    exists = await db.scalar(
        sa.text("SELECT EXISTS (SELECT 1 FROM lease_contracts WHERE id = :id)"),
        {"id": contract_id},
    )
    if not exists:
        raise NotFound(N_("No such contract"))
    if errors:
        raise ValidationFailed(N_("The adjustment was not recorded."), field_errors=errors)
    adjustment = Adjustment(
        contract_id=contract_id,
        amount_fen=amount,  # type: ignore[arg-type]
        reason=reason[:500],
        created_by=actor_id(actor),
    )
    db.add(adjustment)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_adjustment_added",
        entity="lease_contract",
        entity_id=contract_id,
        after={"adjustment_id": adjustment.id, "amount_fen": amount, "reason": reason},
    )
    return adjustment


# --- settings -------------------------------------------------------------------------------


async def park_settings(db: AsyncSession, park_id: int) -> BillingParkSettings:
    found = await db.get(BillingParkSettings, park_id)
    return found or BillingParkSettings(park_id=park_id)


async def set_park_settings(
    db: AsyncSession, actor: Actor, park_id: int, raw: Mapping[str, Any]
) -> BillingParkSettings:
    errors: dict[str, str] = {}
    policy = raw.get("allocation_policy")
    if policy not in {p.value for p in AllocationPolicy}:
        errors["allocation_policy"] = N_("Choose how payments are allocated.")
    values: dict[str, int] = {}
    for name, low, high in (("utility_due_days", 0, 90), ("dunning_after_days", 1, 365)):
        try:
            values[name] = int(str(raw.get(name, "")).strip())
            if not low <= values[name] <= high:
                raise ValueError
        except ValueError:
            errors[name] = Message(
                N_("A whole number from %(low)s to %(high)s."), low=low, high=high
            )
    exists = await db.scalar(
        sa.text("SELECT EXISTS (SELECT 1 FROM parks WHERE id = :id)"), {"id": park_id}
    )
    if not exists:
        raise NotFound(N_("No such park"))
    if errors:
        raise ValidationFailed(N_("The settings were not saved."), field_errors=errors)
    current = await db.get(BillingParkSettings, park_id)
    before = None if current is None else audit.snapshot(current)
    if current is None:
        current = BillingParkSettings(park_id=park_id)
        db.add(current)
    current.allocation_policy = str(policy)
    current.utility_due_days = values["utility_due_days"]
    current.dunning_after_days = values["dunning_after_days"]
    current.updated_by = actor_id(actor)
    current.updated_at = utcnow()
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_settings_changed",
        entity="park",
        entity_id=park_id,
        before=before,
        after=audit.snapshot(current),
    )
    return current
