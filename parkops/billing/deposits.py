"""Deposits: a ledger per contract of money held for the enterprise (a liability of the park).

Entries are append-only: ``received`` and ``topped_up`` add to what is held; ``deducted_arrears``
(applied to the contract's open bills, as a payment of method ``deposit``), ``deducted_damages``
(kept for damage, with the reason) and ``refunded`` take from it. The database keeps the running
balance (``billing_deposit_accounts``, trigger-maintained) and refuses any entry that would take
it below zero.

At the end of a contract (terminated early, or expired) :func:`settle` applies the deposit to
whatever is still open on the contract's bills and refunds the rest: the final statement of the
lease (``lease_terminations``) is shown next to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import corrections, payments, repository
from parkops.billing.models import (
    DEPOSIT_INFLOWS,
    AllocationSource,
    DepositAccount,
    DepositEntry,
    DepositEntryKind,
    Payment,
    PaymentMethod,
)
from parkops.billing.rules import allocation as alloc
from parkops.billing.run import shanghai_today
from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.money import format_fen
from parkops.core.rows import get_or_404

KIND_LABELS = {
    DepositEntryKind.received: N_("Received"),
    DepositEntryKind.topped_up: N_("Topped up"),
    DepositEntryKind.deducted_arrears: N_("Applied to arrears"),
    DepositEntryKind.deducted_damages: N_("Deducted for damages"),
    DepositEntryKind.refunded: N_("Refunded"),
}


async def _contract(db: AsyncSession, contract_id: int):
    from parkops.leases.models import LeaseContract

    return await get_or_404(db, LeaseContract, contract_id, N_("No such contract"))


async def required_fen(db: AsyncSession, contract_id: int) -> int:
    """The deposit the contract's latest terms ask for (leases computes it)."""
    from parkops.leases import repository as lease_repository
    from parkops.leases.rules import schedule as sched
    from parkops.leases.services import reading

    contract = await _contract(db, contract_id)
    versions = await reading.terms_versions(db, contract_id)
    if not versions:
        return 0
    units = await lease_repository.contract_units(db, contract_id)
    try:
        return sched.deposit_fen(reading.lease_terms_for(contract, versions[-1], units))
    except ValueError:
        return 0


async def held_fen(db: AsyncSession, contract_id: int) -> int:
    value = await db.scalar(
        sa.select(DepositAccount.held_fen).where(DepositAccount.contract_id == contract_id)
    )
    return int(value or 0)


async def ledger(db: AsyncSession, contract_id: int) -> dict:
    contract = await _contract(db, contract_id)
    entries = list(
        (
            await db.execute(
                sa.select(DepositEntry)
                .where(DepositEntry.contract_id == contract_id)
                .order_by(DepositEntry.entry_date, DepositEntry.id)
            )
        ).scalars()
    )
    termination = (
        (
            await db.execute(
                sa.text(
                    "SELECT end_date, reason, deposit_held_fen, charges_due_fen, balance_fen, "
                    "statement FROM lease_terminations WHERE contract_id = :id"
                ),
                {"id": contract_id},
            )
        )
        .mappings()
        .first()
    )
    open_bills = await payments.open_bills(db, contract.enterprise_id, contract_id=contract_id)
    return {
        "contract": contract,
        "entries": entries,
        "held_fen": await held_fen(db, contract_id),
        "required_fen": await required_fen(db, contract_id),
        "open_fen": sum(b.open_fen for b in open_bills),
        # Billed periods an early end or amendment changed, not corrected yet (settling does).
        "pending_corrections_fen": sum(
            p.amount_fen for p in await corrections.pending(db, contract_id)
        ),
        # Credits waiting for a next bill (money paid for periods that were then credited).
        "pending_credit_fen": await pending_credit_fen(db, contract_id),
        "termination": dict(termination) if termination else None,
        **await repository.bill_parties(db, contract.enterprise_id, contract_id),
    }


async def pending_credit_fen(db: AsyncSession, contract_id: int) -> int:
    """The contract's credit adjustments not on a bill yet (a negative sum, or 0)."""
    pending = await repository.pending_adjustments(db, contract_id)
    return sum(a.amount_fen for a in pending if a.amount_fen < 0)


async def record_entry(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    *,
    today: date | None = None,
) -> DepositEntry:
    today = today or shanghai_today()
    contract = await _contract(db, contract_id)
    errors: dict[str, str] = {}
    kind = raw.get("kind")
    if kind not in {k.value for k in DepositEntryKind}:
        errors["kind"] = N_("Choose what happened to the deposit.")
        kind = None
    amount = payments.parse_amount(raw, errors)
    entry_date = payments.parse_date(raw.get("entry_date"), "entry_date", errors, latest=today)
    reference = str(raw.get("reference") or "").strip()[:100]
    reason = str(raw.get("reason") or "").strip()
    if len(reason) > 500:
        errors["reason"] = N_("At most 500 characters.")
    method = None
    if kind in (DepositEntryKind.received, DepositEntryKind.topped_up, DepositEntryKind.refunded):
        method = payments.parse_method(raw.get("method"), errors)
    if kind == DepositEntryKind.deducted_damages and not reason:
        errors["reason"] = N_("Say what the deduction is for.")
    if errors:
        raise ValidationFailed(N_("The deposit entry was not recorded."), field_errors=errors)
    await payments.lock_enterprise(db, contract.enterprise_id)
    held = await held_fen(db, contract_id)
    if kind not in DEPOSIT_INFLOWS and amount > held:  # type: ignore[operator]
        raise ValidationFailed(
            N_("The deposit entry was not recorded."),
            field_errors={
                "amount": Message(
                    N_("Only %(amount)s yuan of deposit is held."), amount=format_fen(held)
                )
            },
        )
    payment_id = None
    if kind == DepositEntryKind.deducted_arrears:
        payment_id = await _apply_to_arrears(
            db,
            actor,
            contract,
            amount,
            entry_date,
            reason,  # type: ignore[arg-type]
        )
    entry = DepositEntry(
        contract_id=contract_id,
        enterprise_id=contract.enterprise_id,
        kind=str(kind),
        amount_fen=amount,  # type: ignore[arg-type]
        entry_date=entry_date,  # type: ignore[arg-type]
        method=method,
        reference=reference,
        reason=reason,
        payment_id=payment_id,
        created_by=actor_id(actor),
    )
    db.add(entry)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action=f"billing_deposit_{kind}",
        entity="lease_contract",
        entity_id=contract_id,
        after=audit.snapshot(
            entry, "kind", "amount_fen", "entry_date", "method", "reference", "reason", "payment_id"
        ),
    )
    return entry


async def _apply_to_arrears(
    db: AsyncSession, actor: Actor, contract, amount: int, day: date, reason: str
) -> int:
    bills = await payments.open_bills(db, contract.enterprise_id, contract_id=contract.id)
    open_total = sum(b.open_fen for b in bills)
    if amount > open_total:
        raise ValidationFailed(
            N_("The deposit entry was not recorded."),
            field_errors={
                "amount": Message(
                    N_("Only %(amount)s yuan is open on this contract's bills."),
                    amount=format_fen(open_total),
                )
            },
        )
    plan = alloc.allocate_payment(amount, bills, alloc.AllocationPolicy.OLDEST_DUE_FIRST)
    payment = Payment(
        enterprise_id=contract.enterprise_id,
        amount_fen=amount,
        method=PaymentMethod.deposit,
        reference=f"deposit of contract {contract.number or contract.id}",
        received_on=day,
        idempotency_key=f"deposit-{contract.id}-{secrets.token_hex(8)}",
        note=reason[:500],
        recorded_by=actor_id(actor),
    )
    db.add(payment)
    await db.flush()
    await payments._insert_allocations(
        db,
        actor,
        [(payment.id, a.bill_id, a.amount_fen) for a in plan.allocations],  # type: ignore[misc]
        day,
        AllocationSource.deposit,
    )
    return payment.id  # type: ignore[return-value]


async def settle(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    *,
    today: date | None = None,
) -> dict:
    """Final settlement of an ended contract: deposit to arrears, the rest refunded."""
    today = today or shanghai_today()
    contract = await _contract(db, contract_id)
    if contract.status not in ("terminated", "expired", "renewed"):
        raise Conflict(N_("Only a contract that has ended is settled."))
    errors: dict[str, str] = {}
    method = payments.parse_method(raw.get("method"), errors)
    day = payments.parse_date(
        raw.get("entry_date") or today.isoformat(), "entry_date", errors, latest=today
    )
    if errors:
        raise ValidationFailed(N_("The deposit was not settled."), field_errors=errors)
    held = await held_fen(db, contract_id)
    if held == 0:
        raise Conflict(N_("No deposit is held for this contract."))
    # Periods billed before an early end are credited first, so the deposit only meets what
    # is really owed (a billing run would do the same, maybe only later).
    await corrections.apply(db, actor, contract_id)
    bills = await payments.open_bills(db, contract.enterprise_id, contract_id=contract_id)
    arrears = min(held, sum(b.open_fen for b in bills))
    done: dict[str, int] = {"applied_fen": 0, "refunded_fen": 0}
    common = {"entry_date": day.isoformat(), "method": method}  # type: ignore[union-attr]
    if arrears:
        await record_entry(
            db,
            actor,
            contract_id,
            {
                **common,
                "kind": "deducted_arrears",
                "amount_fen": arrears,
                "reason": "Final settlement: deposit applied to the open bills",
            },
            today=today,
        )
        done["applied_fen"] = arrears
    if held - arrears:
        await record_entry(
            db,
            actor,
            contract_id,
            {
                **common,
                "kind": "refunded",
                "amount_fen": held - arrears,
                "reason": "Final settlement: the rest of the deposit refunded",
                "reference": str(raw.get("reference") or ""),
            },
            today=today,
        )
        done["refunded_fen"] = held - arrears
    done["still_open_fen"] = sum(b.open_fen for b in bills) - arrears
    return done
