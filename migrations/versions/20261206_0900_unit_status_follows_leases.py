"""A unit's occupancy follows its contracts and holds: the database refuses it by hand.

``units``: a status change into or out of ``leased``/``reserved`` is refused unless the writer
is ``inventory.service.follow_occupancy`` (which sets the transaction-local setting
``parkops.unit_status_writer`` to ``occupancy`` while it writes what the contracts and holds
give); marking a unit ``unavailable`` (or changing its reason) is refused while a contract
pending approval takes it (such a unit still reads ``available``).

``lease_unit_occupancy``: a contract or hold cannot take a unit that was split or merged, or
one the park marked unavailable in an operating phase (pre-letting a unit not handed over yet is
fine). Its ``FOR KEY SHARE`` waits for a concurrent status change, split or merge (they lock
the unit ``FOR UPDATE``) and reads the unit as that left it, so the two cannot interleave.

The services check all of this first, with messages naming the contract or hold; these triggers
are the guarantee for what the services might miss (a race, a new code path, a hand-written
UPDATE). INSERTs into ``units`` are not checked: the services refuse new units that are leased
or reserved, and bulk loaders (demo, benchmarks) write units together with their contracts.

Revision ID: 20261206_unit_status_follows
Revises: 20261206_bill_line_due_dates
"""

from __future__ import annotations

from alembic import op

revision = "20261206_unit_status_follows"
down_revision = "20261206_bill_line_due_dates"
branch_labels = None
depends_on = None

# One statement each: asyncpg runs one at a time.
UPGRADE = [
    r"""
CREATE FUNCTION units_status_follows_leases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('parkops.unit_status_writer', true) = 'occupancy' THEN
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status IN ('leased', 'reserved') OR NEW.status IN ('leased', 'reserved')) THEN
        RAISE EXCEPTION 'unit % (%): % -> %: leased and reserved follow the contracts and holds and are not set or lifted by hand',
            OLD.id, OLD.code, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'unavailable'
       AND (OLD.status <> 'unavailable'
            OR NEW.unavailable_reason IS DISTINCT FROM OLD.unavailable_reason)
       AND EXISTS (
           SELECT 1
             FROM lease_unit_occupancy o
             JOIN lease_contracts c ON c.id = o.contract_id
            WHERE o.unit_id = NEW.id AND o.active AND o.kind = 'contract'
              AND c.status = 'pending_approval')
    THEN
        RAISE EXCEPTION 'unit % (%): a contract pending approval takes it, so it follows the contracts and holds and cannot be marked unavailable',
            OLD.id, OLD.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
""",
    r"""
CREATE TRIGGER units_status_follows_leases
    BEFORE UPDATE OF status, unavailable_reason ON units
    FOR EACH ROW EXECUTE FUNCTION units_status_follows_leases();
""",
    r"""
CREATE FUNCTION lease_unit_occupancy_unit_lettable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    u record;
BEGIN
    SELECT units.code, units.status, units.retired_at, phases.status AS phase_status INTO u
      FROM units JOIN phases ON phases.id = units.phase_id
     WHERE units.id = NEW.unit_id
       FOR KEY SHARE OF units;
    IF u.retired_at IS NOT NULL THEN
        RAISE EXCEPTION 'unit % (%) was split or merged: no contract or hold can take it',
            NEW.unit_id, u.code
            USING ERRCODE = 'check_violation';
    END IF;
    IF u.status = 'unavailable' AND u.phase_status = 'operating' THEN
        RAISE EXCEPTION 'unit % (%) is marked unavailable: no contract or hold can take it',
            NEW.unit_id, u.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
""",
    r"""
CREATE TRIGGER lease_unit_occupancy_unit_lettable
    BEFORE INSERT ON lease_unit_occupancy
    FOR EACH ROW EXECUTE FUNCTION lease_unit_occupancy_unit_lettable();
""",
]

DOWNGRADE = [
    "DROP TRIGGER lease_unit_occupancy_unit_lettable ON lease_unit_occupancy",
    "DROP FUNCTION lease_unit_occupancy_unit_lettable()",
    "DROP TRIGGER units_status_follows_leases ON units",
    "DROP FUNCTION units_status_follows_leases()",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
