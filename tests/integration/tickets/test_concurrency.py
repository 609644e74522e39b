"""Concurrent requests on committed data: ticket numbers stay unique, and two desk officers
accepting the same ticket at once produce one acceptance, not two."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from parkops.core.errors import Conflict
from parkops.db.engine import create_engine, session_factory
from parkops.tickets.models import Ticket, TicketEvent
from parkops.tickets.services import actions
from tests.integration.tickets.factories import file, people

pytestmark = pytest.mark.slow


async def test_parallel_filings_and_a_double_accept(committed_database_url, test_settings):
    engine = create_engine(committed_database_url, pool_size=6)
    sessions = session_factory(engine)
    try:
        async with sessions() as db, db.begin():
            p = await people(db)

        async def one_filing(i: int) -> str:
            async with sessions() as db, db.begin():
                ticket = await file(db, test_settings, p.enterprise, subject=f"Parallel {i}")
                return ticket.number

        numbers = await asyncio.gather(*(one_filing(i) for i in range(8)))
        assert len(set(numbers)) == 8

        async with sessions() as db:
            target = await db.scalar(sa.select(Ticket.id).where(Ticket.subject == "Parallel 0"))

        async def accept() -> str:
            async with sessions() as db, db.begin():
                try:
                    await actions.perform(db, test_settings, p.desk, target, "accept")
                except Conflict:
                    return "conflict"
                await asyncio.sleep(0.05)  # hold the row lock while the other one waits
                return "accepted"

        results = sorted(await asyncio.gather(accept(), accept()))
        assert results == ["accepted", "conflict"]
        async with sessions() as db:
            accepts = await db.scalar(
                sa.select(sa.func.count()).where(
                    TicketEvent.ticket_id == target, TicketEvent.action == "accept"
                )
            )
        assert accepts == 1
    finally:
        await engine.dispose()
