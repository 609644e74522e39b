"""How each common-area reading was divided, kept so that it is divided once.

A common meter's reading is charged for the building and divided over the contracts with leased
area in it by area x days (``utilities.common_shares``). The contracts that count are the
binding ones, and which contracts are binding changes: a contract approved late, or a second
run of a month after another approval, would otherwise divide a reading already shared out
again, and the shares would add up to more than the building's charge. So the first run that
bills a reading records its division here (one row per contract: its area and days), and every
later run bills the remaining shares of that same division; a contract not in it is never
charged for the reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from parkops.billing.rules import run_plan as rp
from parkops.billing.rules import utilities


class CommonShareBasis(SQLModel, table=True):
    __tablename__ = "billing_common_shares"
    __table_args__ = (
        sa.CheckConstraint("area > 0 AND days > 0", name="weight_positive"),
        sa.Index("ix_billing_common_shares_contract_id", "contract_id"),
    )

    reading_id: int = Field(
        sa_type=sa.BigInteger,
        foreign_key="billing_meter_readings.id",
        ondelete="CASCADE",
        primary_key=True,
    )
    contract_id: int = Field(
        foreign_key="lease_contracts.id", ondelete="RESTRICT", primary_key=True
    )
    area: Decimal = Field(sa_type=sa.Numeric(12, 2))
    days: int


async def recorded(
    db: AsyncSession, reading_ids: Iterable[int]
) -> dict[int, tuple[utilities.ShareBasis, ...]]:
    """The recorded division of each reading that has one."""
    out: dict[int, list[utilities.ShareBasis]] = {}
    rows = await db.execute(
        sa.select(
            CommonShareBasis.reading_id,
            CommonShareBasis.contract_id,
            CommonShareBasis.area,
            CommonShareBasis.days,
        )
        .where(CommonShareBasis.reading_id.in_(list(reading_ids)))
        .order_by(CommonShareBasis.reading_id, CommonShareBasis.contract_id)
    )
    for reading_id, contract_id, area, days in rows:
        out.setdefault(reading_id, []).append(utilities.ShareBasis(contract_id, area, days))
    return {r: tuple(bases) for r, bases in out.items()}


async def record(db: AsyncSession, divisions: Mapping[int, Iterable[utilities.ShareBasis]]) -> None:
    """Record each reading's division; one already recorded (another run) is kept. One
    statement over arrays: a run over a large park divides thousands of shares at once (a
    row per share would pass the 32,767 parameters a statement can take)."""
    rows = [(r, b) for r, bases in divisions.items() for b in bases if b.weight > 0]
    if not rows:
        return
    await db.execute(
        sa.text(
            "INSERT INTO billing_common_shares (reading_id, contract_id, area, days) "
            "SELECT * FROM unnest(CAST(:r AS bigint[]), CAST(:c AS integer[]), "
            "CAST(:a AS numeric[]), CAST(:d AS integer[])) ON CONFLICT DO NOTHING"
        ),
        {
            "r": [r for r, _ in rows],
            "c": [b.contract_id for _, b in rows],
            "a": [b.area for _, b in rows],
            "d": [b.days for _, b in rows],
        },
    )


def first_divisions(
    readings: Iterable[rp.CommonReading], candidates: Iterable[int]
) -> dict[int, tuple[utilities.ShareBasis, ...]]:
    """The readings this run shares out for the first time, with their division: those not
    divided yet with a share to bill to one of the run's contracts."""
    wanted = set(candidates)
    return {
        c.reading_id: c.shares
        for c in readings
        if not c.divided
        and any(
            b.weight > 0 and b.contract_id in wanted and b.contract_id not in c.billed_contract_ids
            for b in c.shares
        )
    }
