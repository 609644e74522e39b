"""Bills follow their contract when its schedule changes after billing.

Rent is billed in advance, so a contract is often amended or terminated after the period it
changes was billed. The lease keeps its schedule lines (``lease_schedule_lines``) and supersedes
the ones a change replaces; the replacement line of a period keeps its ``period_start``, and a
period the change removes (after an early end) has none. Billing charges a period once, whichever
of its lines was current then, so the replacement is never billed again in full. Instead, per
billed period and part (rent, property fee):

    charged = what the period's schedule lines were billed + corrections already made
    due     = the current line's amount (0 when the period is gone)

and a difference becomes one correction (``ScheduleCorrection``), made once:

* **more due** (a rent raised from a date already billed): an adjustment on the contract's next
  bill;
* **less due** (an early end, a rent lowered): a credit note on the bill that charged the period,
  for as much as is still open on it, and a credit adjustment for the rest (money already paid
  comes off the next bill, or is settled with the deposit).

The billing run makes the corrections before it plans the month's bills (``parkops.billing.run``),
and settling a deposit makes the contract's own first (``parkops.billing.deposits``). Appliers
take a transaction-level advisory lock, so two runs at once make each correction once; the
unique (superseded line, part) is the database's guarantee behind that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing.models import Adjustment, CreditNoteKind, ScheduleCorrection
from parkops.core.actor import Actor
from parkops.core.money import format_fen

PART_NAMES = {1: "租金", 2: "物业管理费"}

_LOCK_KEY = 0x50_4B_43_52  # "PKCR": one lock for every applier of corrections

_PENDING = """
WITH touched AS (  -- periods with a superseded line: the only ones that can differ
    SELECT DISTINCT ON (contract_id, period_start) contract_id, period_start,
           id AS superseded_line_id
      FROM lease_schedule_lines
     WHERE superseded_at IS NOT NULL {contract_filter}
     ORDER BY contract_id, period_start, superseded_at DESC, id DESC
), billed AS (
    SELECT t.contract_id, t.period_start, t.superseded_line_id, bl.source_part AS part,
           sum(bl.amount_fen)::bigint AS fen, min(bl.bill_id) AS bill_id
      FROM touched t
      JOIN lease_schedule_lines o
        ON o.contract_id = t.contract_id AND o.period_start = t.period_start
      JOIN billing_bill_lines bl
        ON bl.source_kind = 'schedule' AND bl.source_id = o.id AND bl.source_part IN (1, 2)
     GROUP BY 1, 2, 3, 4
)
SELECT b.contract_id, b.period_start, b.part, b.superseded_line_id, b.bill_id,
       c.id AS line_id,
       b.fen + COALESCE((SELECT sum(k.amount_fen) FROM billing_schedule_corrections k
                          WHERE k.contract_id = b.contract_id
                            AND k.period_start = b.period_start AND k.part = b.part), 0)::bigint
           AS charged_fen,
       COALESCE(CASE b.part WHEN 1 THEN c.rent_fen ELSE c.property_fee_fen END, 0)::bigint
           AS due_fen
  FROM billed b
  LEFT JOIN lease_schedule_lines c
    ON c.contract_id = b.contract_id AND c.period_start = b.period_start
   AND c.superseded_at IS NULL
 ORDER BY b.contract_id, b.period_start, b.part
"""


@dataclass(frozen=True)
class Pending:
    contract_id: int
    period_start: date
    part: int
    superseded_line_id: int
    bill_id: int  # the bill that charged the period
    line_id: int | None
    charged_fen: int
    due_fen: int

    @property
    def amount_fen(self) -> int:
        return self.due_fen - self.charged_fen

    def reason(self) -> str:
        # Shown on bills and their (Chinese) PDFs, so written in Chinese with the figures.
        what = PART_NAMES[self.part]
        return (
            f"合同变更调整：{self.period_start:%Y-%m-%d} 起计费期{what}已计 "
            f"{format_fen(self.charged_fen)} 元，现应计 {format_fen(self.due_fen)} 元"
        )


async def pending(db: AsyncSession, contract_id: int | None = None) -> list[Pending]:
    """Billed periods whose charge no longer matches the schedule (read only)."""
    sql = _PENDING.format(contract_filter="AND contract_id = :contract_id" if contract_id else "")
    rows = await db.execute(sa.text(sql), {"contract_id": contract_id} if contract_id else {})
    return [Pending(**r) for r in rows.mappings() if r["charged_fen"] != r["due_fen"]]


async def apply(db: AsyncSession, actor: Actor, contract_id: int | None = None) -> list[Pending]:
    """Make the pending corrections (of one contract, or all); what was made."""
    from parkops.billing import service  # service imports run, which imports this module

    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
    made = await pending(db, contract_id)
    for p in made:
        credit_note_id = adjustment_id = None
        rest = p.amount_fen
        if rest < 0:
            bill = await service.lock_bill(db, p.bill_id)
            credit = min(-rest, bill.open_fen) if bill.status != "draft" else 0
            if credit > 0:
                note = await service.make_credit_note(
                    db, actor, bill, CreditNoteKind.correction, credit, p.reason()
                )
                credit_note_id = note.id
                rest += credit
        if rest:
            adjustment = Adjustment(contract_id=p.contract_id, amount_fen=rest, reason=p.reason())
            db.add(adjustment)
            await db.flush()
            adjustment_id = adjustment.id
        db.add(
            ScheduleCorrection(
                contract_id=p.contract_id,
                period_start=p.period_start,
                part=p.part,
                superseded_line_id=p.superseded_line_id,
                line_id=p.line_id,
                charged_fen=p.charged_fen,
                due_fen=p.due_fen,
                amount_fen=p.amount_fen,
                credit_note_id=credit_note_id,
                adjustment_id=adjustment_id,
            )
        )
        await db.flush()
    return made
