"""Billing runs as real processes against a committed database: two at once, and one killed
with SIGKILL half-way and run again. Each bill exists once and is whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date

import pytest
import sqlalchemy as sa

from tests.integration.leases.factories import actor, create_contract, create_units
from tests.support import with_committed_session

pytestmark = pytest.mark.slow

MONTH = "2026-01"
CONTRACTS = 12
BILL_FEN = 10_800_000 + 1_800_000  # a quarter of rent and property fee, see the factories


async def _setup(db):
    leasing = await actor(db, "leasing")
    admin = await actor(db, "park_admin")
    units = await create_units(db, CONTRACTS)
    for unit in units:
        await create_contract(db, leasing=leasing, admin=admin, units=[unit], status="active")


def _cli(url, tmp_path, *args: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "PARKOPS_DATABASE_URL": url,
        "PARKOPS_ENV": "test",
        "PARKOPS_STORAGE_DIR": str(tmp_path),
        **env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parkops.cli",
            "billing",
            "run",
            "--month",
            MONTH,
            "--date",
            "2026-01-02",
            *args,
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def _state(db) -> dict:
    bills = (
        await db.execute(
            sa.text(
                """
                SELECT b.contract_id, b.total_fen, b.status, count(l.id) AS lines,
                       COALESCE(sum(l.amount_fen), 0) AS lines_fen
                  FROM billing_bills b LEFT JOIN billing_bill_lines l ON l.bill_id = b.id
                 GROUP BY b.id ORDER BY b.contract_id
                """
            )
        )
    ).all()
    runs = (
        await db.execute(
            sa.text(
                "SELECT status, contracts_total, bills_created, lines_created "
                "FROM billing_runs ORDER BY id"
            )
        )
    ).all()
    expected = dict(
        (
            await db.execute(
                sa.text(
                    "SELECT contract_id, sum(rent_fen + property_fee_fen) "
                    "FROM lease_schedule_lines "
                    "WHERE due_date >= '2026-01-01' AND due_date < '2026-02-01' "
                    "AND superseded_at IS NULL GROUP BY contract_id"
                )
            )
        ).all()
    )
    return {"bills": bills, "runs": runs, "expected": expected}


def _check_whole(state: dict) -> None:
    for bill in state["bills"]:
        assert bill.status == "issued"
        assert bill.lines == 2
        assert bill.total_fen == bill.lines_fen == state["expected"][bill.contract_id] == BILL_FEN


def test_a_killed_run_leaves_whole_bills_and_a_rerun_finishes(committed_database_url, tmp_path):
    with_url = committed_database_url
    import asyncio

    asyncio.run(with_committed_session(with_url, _setup))

    killed = _cli(with_url, tmp_path, "--batch-size", "4", PARKOPS_BILLING_KILL_AFTER_BILLS="6")
    _out, err = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, err.decode()

    after_kill = asyncio.run(with_committed_session(with_url, _state))
    # Batches of 4: one committed; the second died between its INSERTs and its COMMIT.
    assert len(after_kill["bills"]) == 4, (after_kill["runs"], err.decode()[-3000:])
    _check_whole(after_kill)
    assert [r.status for r in after_kill["runs"]] == ["running"]
    assert after_kill["runs"][0].bills_created == 4

    rerun = _cli(with_url, tmp_path, "--batch-size", "4")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    assert f"{CONTRACTS - 4} bills" in out.decode()

    final = asyncio.run(with_committed_session(with_url, _state))
    assert [b.contract_id for b in final["bills"]] == sorted(final["expected"])
    assert len(final["bills"]) == CONTRACTS
    _check_whole(final)
    assert [r.status for r in final["runs"]] == ["running", "completed"]
    assert final["runs"][1].contracts_total == CONTRACTS - 4

    again = _cli(with_url, tmp_path)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert "0 bills, 0 lines" in out.decode()
    assert len(asyncio.run(with_committed_session(with_url, _state))["bills"]) == CONTRACTS


def test_two_runs_started_together_bill_each_contract_once(committed_database_url, tmp_path):
    import asyncio

    url = committed_database_url
    asyncio.run(with_committed_session(url, _setup))
    slow = {"PARKOPS_BILLING_BATCH_PAUSE": "0.2"}
    first = _cli(url, tmp_path, "--batch-size", "1", **slow)
    second = _cli(url, tmp_path, "--batch-size", "1", **slow)
    results = [p.communicate(timeout=120) for p in (first, second)]
    for proc, (_out, err) in zip((first, second), results, strict=True):
        assert proc.returncode == 0, err.decode()

    state = asyncio.run(with_committed_session(url, _state))
    assert len(state["bills"]) == CONTRACTS
    assert len({b.contract_id for b in state["bills"]}) == CONTRACTS
    _check_whole(state)
    runs = state["runs"]
    assert [r.status for r in runs] == ["completed", "completed"]
    # Both planned before the other had finished (they really overlapped) ...
    assert all(r.contracts_total > 0 for r in runs), runs
    # ... and between them created every bill exactly once.
    assert sum(r.bills_created for r in runs) == CONTRACTS
    assert sum(r.lines_created for r in runs) == 2 * CONTRACTS


def _parkops(url, tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PARKOPS_DATABASE_URL": url,
        "PARKOPS_ENV": "test",
        "PARKOPS_STORAGE_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "parkops.cli", "billing", *args],
        env=env,
        capture_output=True,
        timeout=120,
    )


async def _meter_without_tariff(db):
    from tests.integration.billing.factories import meter, reading

    unit_id = await db.scalar(sa.text("SELECT min(unit_id) FROM lease_contract_units"))
    m = await meter(db, unit=type("U", (), {"id": unit_id})(), code="E-NO-TARIFF")
    await reading(db, m.id, "2026-02", "10")


async def _run_in_process(url):
    from parkops.billing import run as billing_run
    from parkops.db.engine import create_engine, session_factory

    engine = create_engine(url, pool_size=1)
    try:
        tx = billing_run.committing(session_factory(engine))
        await billing_run.run_month(tx, "test", MONTH, today=date(2026, 1, 2))
    finally:
        await engine.dispose()


def test_cli_late_fees_reports_and_a_refused_run(committed_database_url, tmp_path):
    import asyncio

    url = committed_database_url
    asyncio.run(with_committed_session(url, _setup))
    asyncio.run(_run_in_process(url))

    # every bill unpaid: per line, 108,000.00 and 18,000.00 x 0.05% x 30 days = 1,620.00 and
    # 270.00 yuan (1,890.00 a bill)
    as_csv = _parkops(url, tmp_path, "late-fees", "--as-of", "2026-02-01", "--csv")
    assert as_csv.returncode == 0, as_csv.stderr.decode()
    text = as_csv.stdout.decode("utf-8-sig")
    assert text.count(",1620.00,") == text.count(",270.00,") == CONTRACTS

    aging = _parkops(url, tmp_path, "report", "aging", "--as-of", "2026-03-15", "--lang", "en")
    text = aging.stdout.decode("utf-8-sig")
    assert aging.returncode == 0 and text.splitlines()[0].startswith("Enterprise,")
    assert text.count("126000.00") == 2 * CONTRACTS  # the 61-90 bucket and the total
    xlsx = tmp_path / "revenue.xlsx"
    saved = _parkops(url, tmp_path, "report", "revenue", "--format", "xlsx", "-o", str(xlsx))
    assert saved.returncode == 0 and xlsx.read_bytes()[:2] == b"PK"

    asyncio.run(with_committed_session(url, _meter_without_tariff))
    refused = _parkops(url, tmp_path, "run", "--month", "2026-03", "--date", "2026-03-02")
    assert refused.returncode == 1
    assert "No tariff is in force for: electricity" in refused.stderr.decode()
    state = asyncio.run(with_committed_session(url, _state))
    assert len(state["bills"]) == CONTRACTS and len(state["runs"]) == 1
