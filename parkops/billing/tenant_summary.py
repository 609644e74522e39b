"""What an enterprise user's home page shows of their money: what is due, what is overdue, the
next due date and the latest bill, read with the same scoping as the portal's bill list (their
enterprise only, never a draft)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.billing import payments, service
from parkops.billing.models import Bill
from parkops.billing.run import shanghai_today

OPEN_FEN = Bill.total_fen - Bill.paid_fen - Bill.credited_fen


@dataclass(frozen=True)
class BillRef:
    id: int
    number: str
    issue_date: date
    due_date: date
    total_fen: int


@dataclass(frozen=True)
class TenantMoney:
    due_fen: int
    """Still open on issued bills, due or not."""
    overdue_fen: int
    overdue_bills: int
    next_due_date: date | None
    """The earliest due date, today or later, of a bill with money open."""
    next_due_fen: int
    """What is open on the bills due that day."""
    latest: BillRef | None


async def tenant_money(
    db: AsyncSession, user: CurrentUser, today: date | None = None
) -> TenantMoney:
    today = today or shanghai_today()
    is_open = Bill.status.in_(payments.OPEN) & (OPEN_FEN > 0)
    overdue = is_open & (Bill.due_date < today)
    upcoming = sa.func.min(Bill.due_date).filter(is_open & (Bill.due_date >= today))
    totals = (
        await db.execute(
            service.scoped(
                sa.select(
                    sa.func.coalesce(sa.func.sum(OPEN_FEN).filter(is_open), 0),
                    sa.func.coalesce(sa.func.sum(OPEN_FEN).filter(overdue), 0),
                    sa.func.count().filter(overdue),
                    upcoming,
                ).where(Bill.enterprise_id == user.enterprise_id),
                user,
            )
        )
    ).one()
    next_due_fen = 0
    if totals[3] is not None:
        next_due_fen = await db.scalar(
            service.scoped(
                sa.select(sa.func.sum(OPEN_FEN)).where(
                    Bill.enterprise_id == user.enterprise_id, is_open, Bill.due_date == totals[3]
                ),
                user,
            )
        )
    latest = (
        await db.execute(
            service.scoped(
                sa.select(
                    Bill.id,
                    Bill.run_month,
                    Bill.issue_date,
                    Bill.due_date,
                    Bill.total_fen,
                )
                .where(Bill.enterprise_id == user.enterprise_id)
                .order_by(Bill.issue_date.desc(), Bill.id.desc())
                .limit(1),
                user,
            )
        )
    ).first()
    return TenantMoney(
        due_fen=int(totals[0]),
        overdue_fen=int(totals[1]),
        overdue_bills=int(totals[2]),
        next_due_date=totals[3],
        next_due_fen=int(next_due_fen or 0),
        latest=None
        if latest is None
        else BillRef(
            id=latest.id,
            number=service.bill_number(latest.id, latest.run_month),
            issue_date=latest.issue_date,
            due_date=latest.due_date,
            total_fen=latest.total_fen,
        ),
    )
