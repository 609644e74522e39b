"""Payments: recording them (idempotently), allocating them to open bills, enterprise credit and
its refunds, and the bank slips enterprises report for finance to confirm.

**Allocation.** ``allocation.py`` decides which bills a payment settles (oldest due first, or the
current period first when the park's billing settings say so, or as a finance officer typed
it); this module records the result. Whatever a payment does not settle stays on the payment as
*credit*: the unallocated remainder, which the billing run applies to the enterprise's next
bills automatically (:func:`apply_credit`) and which can be refunded (:func:`refund_credit`).

**Serialisation.** Every change to an enterprise's money takes a transaction-scoped advisory
lock on the enterprise first, so two payments of one enterprise recorded at the same moment do
not both plan against the same open amounts. The database does not rely on it: the allocation
trigger keeps ``paid + credited <= total`` on each bill and ``allocated + refunded <= amount`` on
each payment, whatever happens.

**Idempotency.** A payment carries a key (the form puts a random one in a hidden field; API
clients send their own). The key is unique in the database: submitting the same payment twice,
even at the same moment from two tabs, records it once and answers with the first one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.billing.models import (
    Allocation,
    AllocationSource,
    Bill,
    BillingParkSettings,
    Payment,
    PaymentMethod,
    PaymentSlip,
    Refund,
    SlipStatus,
)
from parkops.billing.rules import allocation as alloc
from parkops.billing.run import shanghai_today
from parkops.core import audit, blobs, parsing
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.money import format_fen, yuan_to_fen
from parkops.db.base import utcnow

LOCK_NAMESPACE = 52051  # pg_advisory_xact_lock(namespace, enterprise_id)
OPEN = ("issued", "partially_paid")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")
MANUAL_METHODS = (
    PaymentMethod.bank_transfer,
    PaymentMethod.cash,
    PaymentMethod.wechat_pay,
    PaymentMethod.alipay,
)
MAX_SLIP_BYTES = 5 * 1024 * 1024
SLIP_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


async def lock_enterprise(db: AsyncSession, enterprise_id: int) -> None:
    await db.execute(
        sa.text("SELECT pg_advisory_xact_lock(:ns, :id)"),
        {"ns": LOCK_NAMESPACE, "id": enterprise_id},
    )


async def open_bills(
    db: AsyncSession, enterprise_id: int, *, contract_id: int | None = None
) -> list[alloc.OpenBill]:
    stmt = sa.select(
        Bill.id, Bill.due_date, Bill.total_fen - Bill.paid_fen - Bill.credited_fen
    ).where(
        Bill.enterprise_id == enterprise_id,
        Bill.status.in_(OPEN),
        Bill.total_fen - Bill.paid_fen - Bill.credited_fen > 0,
    )
    if contract_id is not None:
        stmt = stmt.where(Bill.contract_id == contract_id)
    return [alloc.OpenBill(i, d, int(o)) for i, d, o in await db.execute(stmt)]


async def allocation_policy(db: AsyncSession, enterprise_id: int) -> alloc.AllocationPolicy:
    """The park's choice (billing settings); when the enterprise's open bills span several
    parks, the default, oldest due first, the safer order for arrears."""
    parks = set(
        (
            await db.execute(
                sa.select(Bill.park_id)
                .distinct()
                .where(Bill.enterprise_id == enterprise_id, Bill.status.in_(OPEN))
            )
        ).scalars()
    )
    if len(parks) != 1:
        return alloc.AllocationPolicy.OLDEST_DUE_FIRST
    chosen = await db.scalar(
        sa.select(BillingParkSettings.allocation_policy).where(
            BillingParkSettings.park_id == parks.pop()
        )
    )
    return alloc.AllocationPolicy(chosen or alloc.AllocationPolicy.OLDEST_DUE_FIRST)


async def _enterprise_exists(db: AsyncSession, enterprise_id: Any) -> bool:
    if not isinstance(enterprise_id, int):
        return False
    return bool(
        await db.scalar(
            sa.text("SELECT EXISTS (SELECT 1 FROM enterprises WHERE id = :id)"),
            {"id": enterprise_id},
        )
    )


# --- input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentInput:
    enterprise_id: int
    amount_fen: int
    method: str
    reference: str
    received_on: date
    idempotency_key: str
    note: str
    allocations: dict[int, int] | None


def parse_amount(raw: Mapping[str, Any], errors: dict, field: str = "amount") -> int | None:
    """``amount_fen`` (an int, from the API) or ``amount`` (yuan as typed, from a form)."""
    if raw.get(f"{field}_fen") not in (None, ""):
        value = raw.get(f"{field}_fen")
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value))
            except ValueError:
                errors[field] = N_("The amount must be a whole number of fen.")
                return None
        amount = value
    else:
        text = str(raw.get(field) or "").strip()
        if not text:
            errors[field] = N_("Enter the amount.")
            return None
        try:
            amount = yuan_to_fen(text)
        except ValueError as exc:
            errors[field] = str(exc)
            return None
    if amount <= 0:
        errors[field] = N_("The amount must be more than zero.")
        return None
    return amount


def parse_date(value: Any, field: str, errors: dict, *, latest: date | None = None) -> date | None:
    if parsing.is_blank(value):
        errors[field] = N_("Enter the date.")
        return None
    try:
        day = parsing.to_date(value)
    except parsing.Invalid as exc:
        bad = exc.code == "not_date"
        errors[field] = N_("Enter a date like 2026-12-05.") if bad else parsing.plain_message(exc)
        return None
    if latest is not None and day > latest:
        errors[field] = N_("The date cannot be in the future.")
        return None
    return day


def parse_method(value: Any, errors: dict, allowed=MANUAL_METHODS) -> str | None:
    if value not in {m.value for m in allowed}:
        errors["method"] = N_("Choose how the money was paid.")
        return None
    return str(value)


def _text(raw: Mapping[str, Any], name: str, errors: dict, limit: int) -> str:
    value = str(raw.get(name) or "").strip()
    if len(value) > limit:
        errors[name] = Message(N_("At most %(n)s characters."), n=limit)
    return value


def parse_allocations(raw: Any, errors: dict) -> dict[int, int] | None:
    """``{bill_id: fen}`` from the API, or form fields ``alloc_<bill_id>`` in yuan."""
    if raw is None:
        return None
    out: dict[int, int] = {}
    items = raw.items() if isinstance(raw, Mapping) else []
    for key, value in items:
        try:
            bill_id = int(key)
        except (TypeError, ValueError):
            errors["allocations"] = N_("Allocations name bills by their number.")
            continue
        if value in (None, ""):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            out[bill_id] = value
            continue
        try:
            out[bill_id] = yuan_to_fen(str(value))
        except ValueError as exc:
            errors[f"allocations.{bill_id}"] = str(exc)
    return out


def form_allocations(data: Mapping[str, Any]) -> dict[str, str] | None:
    """The ``alloc_<bill id>`` fields of a payment form (None when none was filled in)."""
    chosen = {
        k.removeprefix("alloc_"): str(v).strip()
        for k, v in data.items()
        if k.startswith("alloc_") and str(v).strip()
    }
    return chosen or None


async def parse_payment(db: AsyncSession, raw: Mapping[str, Any], today: date) -> PaymentInput:
    errors: dict[str, str] = {}
    try:
        enterprise_id = int(raw.get("enterprise_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        enterprise_id = None
    if enterprise_id is None or not await _enterprise_exists(db, enterprise_id):
        errors["enterprise_id"] = N_("Choose the paying enterprise.")
    amount = parse_amount(raw, errors)
    method = parse_method(raw.get("method"), errors)
    received_on = parse_date(raw.get("received_on"), "received_on", errors, latest=today)
    reference = _text(raw, "reference", errors, 100)
    note = _text(raw, "note", errors, 500)
    key = str(raw.get("idempotency_key") or "").strip()
    if not KEY_PATTERN.match(key):
        errors["idempotency_key"] = N_(
            "An idempotency key of 8 to 100 letters, digits or _.:- is required."
        )
    allocations = parse_allocations(raw.get("allocations"), errors)
    if errors:
        raise ValidationFailed(N_("The payment was not recorded."), field_errors=errors)
    return PaymentInput(
        enterprise_id,  # type: ignore[arg-type]
        amount,  # type: ignore[arg-type]
        method,  # type: ignore[arg-type]
        reference,
        received_on,  # type: ignore[arg-type]
        key,
        note,
        allocations,
    )


# --- recording and allocating -----------------------------------------------------------------


def _plan_errors(exc: alloc.AllocationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, message in exc.errors:
        out.setdefault("amount" if name == "amount_fen" else name, message)
    return out


async def _insert_allocations(
    db: AsyncSession,
    actor: Actor,
    rows: Sequence[tuple[int, int, int]],
    effective_on: date,
    source: AllocationSource,
) -> None:
    """(payment id, bill id, fen) rows in one statement (the trigger checks them as a whole)."""
    if not rows:
        return
    await db.execute(
        sa.insert(Allocation),
        [
            {
                "payment_id": p,
                "bill_id": b,
                "amount_fen": a,
                "effective_on": effective_on,
                "source": source.value,
                "created_by": actor_id(actor),
            }
            for p, b, a in rows
        ],
    )


async def _existing(db: AsyncSession, key: str) -> Payment | None:
    return await db.scalar(
        sa.select(Payment)
        .where(Payment.idempotency_key == key)
        .execution_options(populate_existing=True)
    )


async def record_payment(
    db: AsyncSession,
    actor: Actor,
    raw: Mapping[str, Any] | PaymentInput,
    *,
    today: date | None = None,
    slip_id: int | None = None,
    method_override: str | None = None,
) -> tuple[Payment, bool]:
    """Record a payment and allocate it; ``(payment, created)``.

    ``created`` is False when the idempotency key was used before for the same enterprise and
    amount: the first payment is returned and nothing is written. A key reused for a different
    payment is refused (409). Explicit allocations that ask for more than a bill has open, or
    more than the payment, are refused with every problem named, and nothing is written.
    """
    today = today or shanghai_today()
    data = raw if isinstance(raw, PaymentInput) else await parse_payment(db, raw, today)
    existing = await _existing(db, data.idempotency_key)
    if existing is not None:
        return _same_or_conflict(existing, data), False
    await lock_enterprise(db, data.enterprise_id)
    bills = await open_bills(db, data.enterprise_id)
    policy = await allocation_policy(db, data.enterprise_id)
    try:
        plan = alloc.allocate_payment(
            data.amount_fen, bills, policy, today=today, requested=data.allocations
        )
    except alloc.AllocationError as exc:
        raise ValidationFailed(
            N_("The payment was not recorded."), field_errors=_plan_errors(exc)
        ) from None
    inserted = await db.scalar(
        pg_insert(Payment)
        .values(
            enterprise_id=data.enterprise_id,
            amount_fen=data.amount_fen,
            method=method_override or data.method,
            reference=data.reference,
            received_on=data.received_on,
            idempotency_key=data.idempotency_key,
            note=data.note,
            slip_id=slip_id,
            recorded_by=actor_id(actor),
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Payment.id)
    )
    if inserted is None:
        # The same key was committed by a concurrent request meanwhile.
        existing = await _existing(db, data.idempotency_key)
        assert existing is not None
        return _same_or_conflict(existing, data), False
    await _insert_allocations(
        db,
        actor,
        [(inserted, a.bill_id, a.amount_fen) for a in plan.allocations],
        data.received_on,
        AllocationSource.payment,
    )
    payment = await db.get(Payment, inserted, populate_existing=True)
    assert payment is not None
    audit.record(
        db,
        actor=actor,
        action="billing_payment_recorded",
        entity="billing_payment",
        entity_id=inserted,
        after={
            **audit.snapshot(
                payment,
                "enterprise_id",
                "amount_fen",
                "method",
                "reference",
                "received_on",
                "idempotency_key",
                "slip_id",
            ),
            "allocations": {a.bill_id: a.amount_fen for a in plan.allocations},
            "credit_fen": plan.unallocated_fen,
            "policy": policy.value,
        },
    )
    await db.flush()
    return payment, True


def _same_or_conflict(existing: Payment, data: PaymentInput) -> Payment:
    if existing.enterprise_id != data.enterprise_id or existing.amount_fen != data.amount_fen:
        raise Conflict(
            N_("This payment form was already submitted for another payment; reload the form.")
        )
    return existing


async def credit_payments(db: AsyncSession, enterprise_id: int) -> list[Payment]:
    """Payments with an unallocated remainder, oldest money first."""
    return list(
        (
            await db.execute(
                sa.select(Payment)
                .where(
                    Payment.enterprise_id == enterprise_id,
                    Payment.allocated_fen + Payment.refunded_fen < Payment.amount_fen,
                )
                .order_by(Payment.received_on, Payment.id)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def credit_fen(db: AsyncSession, enterprise_id: int) -> int:
    value = await db.scalar(
        sa.select(
            sa.func.coalesce(
                sa.func.sum(Payment.amount_fen - Payment.allocated_fen - Payment.refunded_fen), 0
            )
        ).where(Payment.enterprise_id == enterprise_id)
    )
    return int(value or 0)


async def apply_credit(
    db: AsyncSession, actor: Actor, enterprise_ids: Sequence[int], today: date
) -> int:
    """Use the enterprises' credit on their open bills (oldest money first); fen applied.

    Runs after each batch of a billing run and after payments; enterprises are locked in id
    order, so concurrent callers never wait for each other in a cycle.
    """
    if not enterprise_ids:
        return 0
    with_credit = sorted(
        (
            await db.execute(
                sa.select(Payment.enterprise_id)
                .distinct()
                .where(
                    Payment.enterprise_id.in_(list(enterprise_ids)),
                    Payment.allocated_fen + Payment.refunded_fen < Payment.amount_fen,
                )
            )
        ).scalars()
    )
    applied = 0
    for enterprise_id in with_credit:
        await lock_enterprise(db, enterprise_id)
        payments = await credit_payments(db, enterprise_id)
        available = sum(p.unallocated_fen for p in payments)
        bills = await open_bills(db, enterprise_id)
        if not available or not bills:
            continue
        policy = await allocation_policy(db, enterprise_id)
        plan = alloc.apply_credit(available, bills, policy, today=today)
        rows = _spread(plan.allocations, payments)
        await _insert_allocations(db, actor, rows, today, AllocationSource.credit)
        applied += plan.allocated_fen
        audit.record(
            db,
            actor=actor,
            action="billing_credit_applied",
            entity="enterprise",
            entity_id=enterprise_id,
            after={"allocations": [list(r) for r in rows], "credit_left_fen": plan.unallocated_fen},
        )
    await db.flush()
    return applied


def _spread(
    allocations: Sequence[alloc.Allocation], payments: Sequence[Payment]
) -> list[tuple[int, int, int]]:
    """Split bill allocations over the payments' remainders, oldest payment first."""
    remaining = [[p.id, p.unallocated_fen] for p in payments]
    rows: list[tuple[int, int, int]] = []
    i = 0
    for a in allocations:
        need = a.amount_fen
        while need > 0:
            while remaining[i][1] == 0:
                i += 1
            part = min(need, remaining[i][1])
            rows.append((remaining[i][0], a.bill_id, part))
            remaining[i][1] -= part
            need -= part
    return rows


async def refund_credit(
    db: AsyncSession,
    actor: Actor,
    enterprise_id: int,
    raw: Mapping[str, Any],
    *,
    today: date | None = None,
) -> list[Refund]:
    """Pay (part of) an enterprise's credit back; newest payments' remainders first."""
    today = today or shanghai_today()
    errors: dict[str, str] = {}
    amount = parse_amount(raw, errors)
    method = parse_method(raw.get("method"), errors)
    refunded_on = parse_date(raw.get("refunded_on"), "refunded_on", errors, latest=today)
    reference = _text(raw, "reference", errors, 100)
    reason = _text(raw, "reason", errors, 500)
    if not reason and "reason" not in errors:
        errors["reason"] = N_("Say why the credit is refunded.")
    if errors:
        raise ValidationFailed(N_("The refund was not recorded."), field_errors=errors)
    await lock_enterprise(db, enterprise_id)
    payments = await credit_payments(db, enterprise_id)
    available = sum(p.unallocated_fen for p in payments)
    if amount > available:  # type: ignore[operator]
        raise ValidationFailed(
            N_("The refund was not recorded."),
            field_errors={
                "amount": Message(
                    N_("The enterprise has only %(amount)s yuan of credit."),
                    amount=format_fen(available),
                )
            },
        )
    refunds = []
    need = amount
    for payment in reversed(payments):
        if need == 0:
            break
        part = min(need, payment.unallocated_fen)  # type: ignore[type-var]
        refunds.append(
            Refund(
                payment_id=payment.id,  # type: ignore[arg-type]
                enterprise_id=enterprise_id,
                amount_fen=part,  # type: ignore[arg-type]
                method=method,  # type: ignore[arg-type]
                reference=reference,
                refunded_on=refunded_on,  # type: ignore[arg-type]
                reason=reason,
                created_by=actor_id(actor),
            )
        )
        need -= part  # type: ignore[operator]
    db.add_all(refunds)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_credit_refunded",
        entity="enterprise",
        entity_id=enterprise_id,
        after={
            "amount_fen": amount,
            "method": method,
            "reason": reason,
            "payments": [r.payment_id for r in refunds],
        },
    )
    await db.flush()
    return refunds


# --- reading ----------------------------------------------------------------------------------


async def get_payment(db: AsyncSession, user: CurrentUser | None, payment_id: int) -> Payment:
    stmt = sa.select(Payment).where(Payment.id == payment_id)
    if user is not None and not user.is_staff:
        stmt = stmt.where(
            Payment.enterprise_id == user.enterprise_id
            if user.has(Role.enterprise_user) and user.enterprise_id
            else sa.false()
        )
    payment = await db.scalar(stmt.execution_options(populate_existing=True))
    if payment is None:
        raise NotFound(N_("No such payment"))
    return payment


async def payment_allocations(db: AsyncSession, payment_id: int) -> list[dict]:
    rows = await db.execute(
        sa.select(
            Allocation.bill_id,
            Allocation.amount_fen,
            Allocation.effective_on,
            Allocation.source,
            Allocation.created_at,
            Bill.due_date,
            Bill.run_month,
            Bill.total_fen,
            Bill.status,
        )
        .join(Bill, Bill.id == Allocation.bill_id)
        .where(Allocation.payment_id == payment_id)
        .order_by(Allocation.id)
    )
    return [dict(r) for r in rows.mappings()]


async def payment_refunds(db: AsyncSession, payment_id: int) -> list[Refund]:
    return list(
        (
            await db.execute(
                sa.select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.id)
            )
        ).scalars()
    )


async def balance(db: AsyncSession, enterprise_id: int, today: date | None = None) -> dict:
    """What an enterprise owes and holds: open, of which overdue, and credit (all fen)."""
    today = today or shanghai_today()
    row = (
        await db.execute(
            sa.select(
                sa.func.coalesce(
                    sa.func.sum(Bill.total_fen - Bill.paid_fen - Bill.credited_fen), 0
                ),
                sa.func.coalesce(
                    sa.func.sum(Bill.total_fen - Bill.paid_fen - Bill.credited_fen).filter(
                        Bill.due_date < today
                    ),
                    0,
                ),
            ).where(Bill.enterprise_id == enterprise_id, Bill.status.in_(OPEN))
        )
    ).one()
    return {
        "open_fen": int(row[0]),
        "overdue_fen": int(row[1]),
        "credit_fen": await credit_fen(db, enterprise_id),
    }


# --- bank slips -------------------------------------------------------------------------------


def slip_kind(data: bytes) -> str | None:
    """The slip's type judged by its content (never by its name): a media type or None."""
    import filetype

    kind = filetype.guess(data)
    if kind is None or kind.mime not in SLIP_TYPES:
        return None
    return kind.mime


SLIP_KEY_PREFIX = "billing/slips/"
"""Slips' keys in the storage (parkops.core.blobs): the folder below the storage folder."""


def slips_dir(storage_dir: Path) -> Path:
    return Path(storage_dir) / "billing" / "slips"


async def report_slip(
    db: AsyncSession,
    actor: CurrentUser,
    raw: Mapping[str, Any],
    *,
    filename: str,
    data: bytes,
    storage_dir: Path,
    today: date | None = None,
) -> PaymentSlip:
    """An enterprise user reports a payment with the bank slip (PDF, JPEG or PNG)."""
    today = today or shanghai_today()
    if not actor.has(Role.enterprise_user) or actor.enterprise_id is None:
        raise PermissionDenied(N_("Only enterprise users report payments"))
    errors: dict[str, str] = {}
    amount = parse_amount(raw, errors)
    method = parse_method(raw.get("method"), errors)
    paid_on = parse_date(raw.get("paid_on"), "paid_on", errors, latest=today)
    reference = _text(raw, "reference", errors, 100)
    note = _text(raw, "note", errors, 500)
    media_type = None
    if not data:
        errors["slip"] = N_("Attach the bank slip (PDF, JPEG or PNG).")
    elif len(data) > MAX_SLIP_BYTES:
        errors["slip"] = Message(
            N_("The file is larger than %(mb)s MB."), mb=MAX_SLIP_BYTES // (1024 * 1024)
        )
    else:
        media_type = slip_kind(data)
        if media_type is None:
            errors["slip"] = N_("The file is not a PDF, JPEG or PNG.")
    if errors:
        raise ValidationFailed(N_("The payment was not reported."), field_errors=errors)
    sha256 = hashlib.sha256(data).hexdigest()
    relative = f"{sha256[:2]}/{sha256}.{SLIP_TYPES[media_type]}"  # type: ignore[index]
    await blobs.save(SLIP_KEY_PREFIX + relative, slips_dir(storage_dir) / relative, data)
    clean_name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', "_", Path(filename or "slip").name)[:200]
    slip = PaymentSlip(
        enterprise_id=actor.enterprise_id,
        reported_by=actor.id,
        amount_fen=amount,  # type: ignore[arg-type]
        method=method,  # type: ignore[arg-type]
        reference=reference,
        paid_on=paid_on,  # type: ignore[arg-type]
        note=note,
        filename=clean_name or f"slip.{SLIP_TYPES[media_type]}",  # type: ignore[index]
        content_type=media_type,  # type: ignore[arg-type]
        size_bytes=len(data),
        sha256=sha256,
        storage_path=relative,
        status=SlipStatus.pending,
    )
    db.add(slip)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_slip_reported",
        entity="billing_payment_slip",
        entity_id=slip.id,
        after=audit.snapshot(
            slip, "enterprise_id", "amount_fen", "method", "reference", "paid_on", "sha256"
        ),
    )
    await db.flush()
    return slip


async def _lock_slip(db: AsyncSession, slip_id: int) -> PaymentSlip:
    slip = await db.scalar(
        sa.select(PaymentSlip)
        .where(PaymentSlip.id == slip_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if slip is None:
        raise NotFound(N_("No such payment report"))
    return slip


# A report's status inside a sentence ("already confirmed").
SLIP_STATES = {"pending": N_("pending"), "confirmed": N_("confirmed"), "rejected": N_("rejected")}


def _already(slip: PaymentSlip) -> Conflict:
    return Conflict(
        Message(
            N_(
                "This payment report was already %(status)s; it cannot be confirmed or rejected"
                " again."
            ),
            status=Message(SLIP_STATES.get(str(slip.status), str(slip.status))),
        )
    )


async def confirm_slip(
    db: AsyncSession, actor: Actor, slip_id: int, *, today: date | None = None
) -> Payment:
    """Finance confirms a reported payment: it becomes a payment (allocated as usual).

    A second confirmation is refused; the database backs this up with the unique ``slip_id``
    and idempotency key of the payment.
    """
    slip = await _lock_slip(db, slip_id)
    if slip.status != SlipStatus.pending:
        raise _already(slip)
    payment, created = await record_payment(
        db,
        actor,
        PaymentInput(
            enterprise_id=slip.enterprise_id,
            amount_fen=slip.amount_fen,
            method=slip.method,
            reference=slip.reference,
            received_on=slip.paid_on,
            idempotency_key=f"slip-{slip.id}",
            note=f"Reported by the enterprise (payment report {slip.id})",
            allocations=None,
        ),
        today=today,
        slip_id=slip.id,
    )
    if not created:
        raise _already(slip)
    slip.status = SlipStatus.confirmed
    slip.reviewed_by = actor_id(actor)
    slip.reviewed_at = utcnow()
    audit.record(
        db,
        actor=actor,
        action="billing_slip_confirmed",
        entity="billing_payment_slip",
        entity_id=slip.id,
        after={"payment_id": payment.id},
    )
    await db.flush()
    return payment


async def reject_slip(db: AsyncSession, actor: Actor, slip_id: int, reason: str) -> PaymentSlip:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            N_("The payment report was not rejected."),
            field_errors={"review_note": N_("Say why the report is rejected.")},
        )
    if len(reason) > 500:
        raise ValidationFailed(
            N_("The payment report was not rejected."),
            field_errors={"review_note": N_("At most 500 characters.")},
        )
    slip = await _lock_slip(db, slip_id)
    if slip.status != SlipStatus.pending:
        raise _already(slip)
    slip.status = SlipStatus.rejected
    slip.reviewed_by = actor_id(actor)
    slip.reviewed_at = utcnow()
    slip.review_note = reason
    audit.record(
        db,
        actor=actor,
        action="billing_slip_rejected",
        entity="billing_payment_slip",
        entity_id=slip.id,
        after={"reason": reason},
    )
    await db.flush()
    return slip


async def get_slip(db: AsyncSession, user: CurrentUser, slip_id: int) -> PaymentSlip:
    stmt = sa.select(PaymentSlip).where(PaymentSlip.id == slip_id)
    if not user.is_staff:
        stmt = stmt.where(
            PaymentSlip.enterprise_id == user.enterprise_id
            if user.has(Role.enterprise_user) and user.enterprise_id
            else sa.false()
        )
    slip = await db.scalar(stmt)
    if slip is None:
        raise NotFound(N_("No such payment report"))
    return slip
