"""The background job queue: procrastinate's tables, types and functions.

The SQL is procrastinate 3.10's own schema (``migrations/sql/procrastinate_3.10.0.sql``, copied
from the package), kept here so that every database gets its queue the one way every other table
arrives, by ``parkops db upgrade``, and an old migration never changes under a newer package.
Upgrading procrastinate past 3.10 means a new migration applying its SQL migrations in between.

Revision ID: 20261206_job_queue
Revises: 20261206_list_sort_indexes
"""

from __future__ import annotations

from pathlib import Path

from alembic import op
from sqlalchemy.util import await_

revision = "20261206_job_queue"
down_revision = "20261206_list_sort_indexes"
branch_labels = None
depends_on = None

SCHEMA = Path(__file__).resolve().parents[1] / "sql" / "procrastinate_3.10.0.sql"

DOWNGRADE = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_status,
    procrastinate_job_event_type CASCADE;
"""


def _run_script(sql: str) -> None:
    # Many statements with dollar-quoted bodies: asyncpg runs such a script only through its
    # plain execute(), on the connection (and so in the transaction) Alembic holds.
    adapted = op.get_bind().connection.dbapi_connection
    await_(adapted.driver_connection.execute(sql))


def upgrade() -> None:
    _run_script(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    _run_script(DOWNGRADE)
