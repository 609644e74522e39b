"""Billing: runs, bills and lines, credit notes, adjustments, payments, allocations, refunds,
bank slips, deposits, meters, readings, tariffs, park settings; and the triggers that keep issued
bills frozen and money from over-allocating (see parkops/billing/models.py).

Revision ID: 20261128_billing
Revises: 20261128_leases
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261128_billing"
down_revision = "20261128_leases"
branch_labels = None
depends_on = None

TRIGGERS = r"""CREATE FUNCTION billing_bill_status(total bigint, paid bigint, credited bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN total - paid - credited = 0 THEN
            CASE WHEN paid > 0 OR credited = 0 THEN 'paid' ELSE 'void' END
        WHEN paid > 0 THEN 'partially_paid'
        ELSE 'issued'
    END
$$;

CREATE FUNCTION billing_bills_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'billing bill % is issued and cannot be deleted', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'draft'
       OR (NEW.park_id, NEW.enterprise_id, NEW.contract_id, NEW.run_month, NEW.issue_date,
           NEW.due_date, NEW.total_fen, NEW.rounding_policy, NEW.created_at, NEW.issued_at)
          IS DISTINCT FROM
          (OLD.park_id, OLD.enterprise_id, OLD.contract_id, OLD.run_month, OLD.issue_date,
           OLD.due_date, OLD.total_fen, OLD.rounding_policy, OLD.created_at, OLD.issued_at)
    THEN
        RAISE EXCEPTION 'billing bill % is issued and cannot be changed; use a credit note or an adjustment on the next bill', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER billing_bills_frozen BEFORE UPDATE OR DELETE ON billing_bills
    FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION billing_bills_frozen();

CREATE FUNCTION billing_bills_issue_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
    SELECT n.id INTO bad
      FROM new_bills n JOIN old_bills o ON o.id = n.id
     WHERE o.status = 'draft' AND n.status <> 'draft'
       AND n.total_fen <> COALESCE(
           (SELECT sum(l.amount_fen) FROM billing_bill_lines l WHERE l.bill_id = n.id), 0)
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'billing bill %: an issued bill''s total must equal the sum of its lines', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_bills_issue_check AFTER UPDATE ON billing_bills
    REFERENCING OLD TABLE AS old_bills NEW TABLE AS new_bills
    FOR EACH STATEMENT EXECUTE FUNCTION billing_bills_issue_check();

-- Lines belong to drafts only. FOR SHARE waits for a concurrent issue of the same bill, so a
-- line can never slip in next to an issue that did not count it.
CREATE FUNCTION billing_lines_check_new() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
    PERFORM 1 FROM billing_bills b WHERE b.id IN (SELECT bill_id FROM new_lines)
        ORDER BY b.id FOR SHARE;
    SELECT b.id INTO bad FROM billing_bills b
     WHERE b.id IN (SELECT bill_id FROM new_lines) AND b.status <> 'draft' LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'billing bill % is issued: its lines cannot be changed', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION billing_lines_check_old() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
    SELECT b.id INTO bad FROM billing_bills b
     WHERE b.id IN (SELECT bill_id FROM old_lines) AND b.status <> 'draft' LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'billing bill % is issued: its lines cannot be changed', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_lines_insert AFTER INSERT ON billing_bill_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_lines_check_new();
CREATE TRIGGER billing_lines_update_new AFTER UPDATE ON billing_bill_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_lines_check_new();
CREATE TRIGGER billing_lines_update_old AFTER UPDATE ON billing_bill_lines
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_lines_check_old();
CREATE TRIGGER billing_lines_delete AFTER DELETE ON billing_bill_lines
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_lines_check_old();

-- Ledgers of money are append-only.
CREATE FUNCTION billing_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Allocations move money from a payment to a bill: both running sums follow, and the CHECK
-- constraints on both rows refuse anything that would over-allocate. The UPDATEs lock the rows,
-- so concurrent allocations to one bill or from one payment queue up and see each other.
CREATE FUNCTION billing_allocations_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
    SELECT a.bill_id INTO bad
      FROM new_allocations a
      JOIN billing_payments p ON p.id = a.payment_id
      JOIN billing_bills b ON b.id = a.bill_id
     WHERE p.enterprise_id <> b.enterprise_id OR b.status IN ('draft', 'void')
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'billing bill % is not an open bill of the paying enterprise', bad
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE billing_payments p SET allocated_fen = p.allocated_fen + s.amount
      FROM (SELECT payment_id, sum(amount_fen)::bigint AS amount FROM new_allocations
             GROUP BY payment_id) s
     WHERE p.id = s.payment_id;
    UPDATE billing_bills b
       SET paid_fen = b.paid_fen + s.amount,
           status = billing_bill_status(b.total_fen, b.paid_fen + s.amount, b.credited_fen)
      FROM (SELECT bill_id, sum(amount_fen)::bigint AS amount FROM new_allocations GROUP BY bill_id) s
     WHERE b.id = s.bill_id;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_allocations_apply AFTER INSERT ON billing_allocations
    REFERENCING NEW TABLE AS new_allocations
    FOR EACH STATEMENT EXECUTE FUNCTION billing_allocations_apply();
CREATE TRIGGER billing_allocations_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON billing_allocations FOR EACH STATEMENT EXECUTE FUNCTION billing_append_only();

CREATE FUNCTION billing_credit_notes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
    SELECT n.bill_id INTO bad
      FROM new_notes n JOIN billing_bills b ON b.id = n.bill_id
     WHERE b.status = 'draft' OR b.enterprise_id <> n.enterprise_id
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'billing bill %: credit notes apply to issued bills of their enterprise', bad
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE billing_bills b
       SET credited_fen = b.credited_fen + s.amount,
           status = billing_bill_status(b.total_fen, b.paid_fen, b.credited_fen + s.amount)
      FROM (SELECT bill_id, sum(amount_fen)::bigint AS amount FROM new_notes GROUP BY bill_id) s
     WHERE b.id = s.bill_id;
    -- After the bill rows are locked: waivers of one late-fee line never exceed it.
    SELECT w.bill_line_id INTO bad
      FROM (SELECT c.bill_line_id, sum(c.amount_fen) AS waived
              FROM billing_credit_notes c
             WHERE c.bill_line_id IN (SELECT bill_line_id FROM new_notes)
             GROUP BY c.bill_line_id) w
      JOIN billing_bill_lines l ON l.id = w.bill_line_id
     WHERE w.waived > l.amount_fen OR l.charge_type <> 'late_fee'
        OR l.bill_id NOT IN (SELECT bill_id FROM new_notes n WHERE n.bill_line_id = l.id)
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'late-fee line %: waivers must name a late-fee line of the bill and not exceed it', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_credit_notes_apply AFTER INSERT ON billing_credit_notes
    REFERENCING NEW TABLE AS new_notes
    FOR EACH STATEMENT EXECUTE FUNCTION billing_credit_notes_apply();
CREATE TRIGGER billing_credit_notes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON billing_credit_notes FOR EACH STATEMENT EXECUTE FUNCTION billing_append_only();

CREATE FUNCTION billing_refunds_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE billing_payments p SET refunded_fen = p.refunded_fen + s.amount
      FROM (SELECT payment_id, sum(amount_fen)::bigint AS amount FROM new_refunds
             GROUP BY payment_id) s
     WHERE p.id = s.payment_id;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_refunds_apply AFTER INSERT ON billing_refunds
    REFERENCING NEW TABLE AS new_refunds
    FOR EACH STATEMENT EXECUTE FUNCTION billing_refunds_apply();
CREATE TRIGGER billing_refunds_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON billing_refunds FOR EACH STATEMENT EXECUTE FUNCTION billing_append_only();

-- A payment's amount, payer, date and keys never change once recorded.
CREATE FUNCTION billing_payments_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (NEW.enterprise_id, NEW.amount_fen, NEW.method, NEW.received_on,
            NEW.idempotency_key, NEW.slip_id, NEW.created_at)
        IS DISTINCT FROM (OLD.enterprise_id, OLD.amount_fen, OLD.method, OLD.received_on,
            OLD.idempotency_key, OLD.slip_id, OLD.created_at)
    THEN
        RAISE EXCEPTION 'payment % is recorded and cannot be changed or deleted', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER billing_payments_frozen BEFORE UPDATE OR DELETE ON billing_payments
    FOR EACH ROW EXECUTE FUNCTION billing_payments_frozen();

CREATE FUNCTION billing_deposit_entries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Two steps: an upsert would check the proposed (negative) row before seeing the conflict.
    INSERT INTO billing_deposit_accounts (contract_id, enterprise_id, held_fen, updated_at)
    SELECT contract_id, min(enterprise_id), 0, now() FROM new_entries GROUP BY contract_id
    ON CONFLICT (contract_id) DO NOTHING;
    UPDATE billing_deposit_accounts a
       SET held_fen = a.held_fen + s.delta, updated_at = now()
      FROM (SELECT contract_id,
                   sum(CASE WHEN kind IN ('received', 'topped_up') THEN amount_fen
                            ELSE -amount_fen END)::bigint AS delta
              FROM new_entries GROUP BY contract_id) s
     WHERE a.contract_id = s.contract_id;
    RETURN NULL;
END $$;

CREATE TRIGGER billing_deposit_entries_apply AFTER INSERT ON billing_deposit_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION billing_deposit_entries_apply();
CREATE TRIGGER billing_deposit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON billing_deposit_entries FOR EACH STATEMENT EXECUTE FUNCTION billing_append_only();
"""

DROP_FUNCTIONS = r"""DROP FUNCTION IF EXISTS billing_bill_status(bigint, bigint, bigint) CASCADE;
DROP FUNCTION IF EXISTS billing_bills_frozen() CASCADE;
DROP FUNCTION IF EXISTS billing_bills_issue_check() CASCADE;
DROP FUNCTION IF EXISTS billing_lines_check_new() CASCADE;
DROP FUNCTION IF EXISTS billing_lines_check_old() CASCADE;
DROP FUNCTION IF EXISTS billing_append_only() CASCADE;
DROP FUNCTION IF EXISTS billing_allocations_apply() CASCADE;
DROP FUNCTION IF EXISTS billing_credit_notes_apply() CASCADE;
DROP FUNCTION IF EXISTS billing_refunds_apply() CASCADE;
DROP FUNCTION IF EXISTS billing_payments_frozen() CASCADE;
DROP FUNCTION IF EXISTS billing_deposit_entries_apply() CASCADE;
"""


def _statements(sql: str) -> list[str]:
    """Split a script into statements (asyncpg runs one at a time); ``;`` inside $$ bodies stays."""
    statements, current, in_body = [], [], False
    for line in sql.splitlines():
        if line.strip().startswith("--") and not in_body:
            continue
        current.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if not in_body and line.rstrip().endswith(";"):
            statements.append("\n".join(current).strip())
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "billing_park_settings",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("allocation_policy", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("utility_due_days", sa.Integer(), nullable=False),
        sa.Column("dunning_after_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "allocation_policy IN ('oldest_due_first', 'current_first')",
            name=op.f("ck_billing_park_settings_allocation_policy_valid"),
        ),
        sa.CheckConstraint(
            "dunning_after_days BETWEEN 1 AND 365",
            name=op.f("ck_billing_park_settings_dunning_days_range"),
        ),
        sa.CheckConstraint(
            "utility_due_days BETWEEN 0 AND 90",
            name=op.f("ck_billing_park_settings_utility_due_days_range"),
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_billing_park_settings_park_id_parks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_billing_park_settings_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("park_id", name=op.f("pk_billing_park_settings")),
    )
    op.create_table(
        "billing_payment_slips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("storage_path", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'cash', 'wechat_pay', 'alipay', 'deposit')",
            name=op.f("ck_billing_payment_slips_method_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected')",
            name=op.f("ck_billing_payment_slips_status_valid"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_billing_payment_slips_amount_positive")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_billing_payment_slips_size_positive")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_payment_slips_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["users.id"],
            name=op.f("fk_billing_payment_slips_reported_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["users.id"],
            name=op.f("fk_billing_payment_slips_reviewed_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payment_slips")),
    )
    op.create_index(
        op.f("ix_billing_payment_slips_enterprise_id"),
        "billing_payment_slips",
        ["enterprise_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_payment_slips_status"), "billing_payment_slips", ["status"], unique=False
    )
    op.create_table(
        "billing_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_month", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("issue", sa.Boolean(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_by_label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "heartbeat_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contracts_total", sa.Integer(), nullable=False),
        sa.Column("contracts_done", sa.Integer(), nullable=False),
        sa.Column("bills_created", sa.Integer(), nullable=False),
        sa.Column("lines_created", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed')",
            name=op.f("ck_billing_runs_status_valid"),
        ),
        sa.CheckConstraint(
            "EXTRACT(DAY FROM run_month) = 1", name=op.f("ck_billing_runs_run_month_first_day")
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["users.id"],
            name=op.f("fk_billing_runs_started_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_runs")),
    )
    op.create_index(op.f("ix_billing_runs_run_month"), "billing_runs", ["run_month"], unique=False)
    op.create_table(
        "billing_tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("unit_price_fen", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tiers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("park_id"), "="),
            (sa.column("kind"), "="),
            (sa.text("daterange(valid_from, valid_to, '[)')"), "&&"),
            using="gist",
            name="ex_billing_tariffs_validity",
        ),
        sa.CheckConstraint(
            "kind IN ('electricity', 'water')", name=op.f("ck_billing_tariffs_kind_valid")
        ),
        sa.CheckConstraint(
            "unit_price_fen >= 0", name=op.f("ck_billing_tariffs_price_not_negative")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_billing_tariffs_validity_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_billing_tariffs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_billing_tariffs_park_id_parks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_tariffs")),
    )
    op.create_index(
        op.f("ix_billing_tariffs_park_id_kind"),
        "billing_tariffs",
        ["park_id", "kind"],
        unique=False,
    )
    op.create_table(
        "billing_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_billing_adjustments_amount_not_zero")),
        sa.CheckConstraint(
            "length(btrim(reason)) > 0", name=op.f("ck_billing_adjustments_reason_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_billing_adjustments_contract_id_lease_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_billing_adjustments_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_adjustments")),
    )
    op.create_index(
        op.f("ix_billing_adjustments_contract_id"),
        "billing_adjustments",
        ["contract_id"],
        unique=False,
    )
    op.create_table(
        "billing_bills",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("run_month", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("credited_fen", sa.BigInteger(), nullable=False),
        sa.Column("rounding_policy", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')",
            name=op.f("ck_billing_bills_status_valid"),
        ),
        sa.CheckConstraint(
            "EXTRACT(DAY FROM run_month) = 1", name=op.f("ck_billing_bills_run_month_first_day")
        ),
        sa.CheckConstraint(
            "paid_fen + credited_fen <= total_fen", name=op.f("ck_billing_bills_not_over_settled")
        ),
        sa.CheckConstraint(
            "paid_fen >= 0 AND credited_fen >= 0", name=op.f("ck_billing_bills_sums_not_negative")
        ),
        sa.CheckConstraint("total_fen >= 0", name=op.f("ck_billing_bills_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_billing_bills_contract_id_lease_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_bills_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_billing_bills_park_id_parks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["billing_runs.id"],
            name=op.f("fk_billing_bills_run_id_billing_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_bills")),
        sa.UniqueConstraint(
            "contract_id", "run_month", name=op.f("uq_billing_bills_contract_id_run_month")
        ),
    )
    op.create_index(
        op.f("ix_billing_bills_enterprise_id_status"),
        "billing_bills",
        ["enterprise_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_bills_run_month"), "billing_bills", ["run_month"], unique=False
    )
    op.create_index(
        op.f("ix_billing_bills_status_due_date"),
        "billing_bills",
        ["status", "due_date"],
        unique=False,
    )
    op.create_table(
        "billing_deposit_accounts",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("held_fen", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "held_fen >= 0", name=op.f("ck_billing_deposit_accounts_held_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_billing_deposit_accounts_contract_id_lease_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_deposit_accounts_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_billing_deposit_accounts")),
    )
    op.create_table(
        "billing_payments",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("allocated_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("slip_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'cash', 'wechat_pay', 'alipay', 'deposit')",
            name=op.f("ck_billing_payments_method_valid"),
        ),
        sa.CheckConstraint(
            "allocated_fen + refunded_fen <= amount_fen",
            name=op.f("ck_billing_payments_not_over_allocated"),
        ),
        sa.CheckConstraint(
            "allocated_fen >= 0 AND refunded_fen >= 0",
            name=op.f("ck_billing_payments_sums_not_negative"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_billing_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_payments_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_billing_payments_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["slip_id"],
            ["billing_payment_slips.id"],
            name=op.f("fk_billing_payments_slip_id_billing_payment_slips"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_billing_payments_idempotency_key")),
        sa.UniqueConstraint("slip_id", name=op.f("uq_billing_payments_slip_id")),
    )
    op.create_index(
        op.f("ix_billing_payments_enterprise_id"),
        "billing_payments",
        ["enterprise_id"],
        unique=False,
    )
    op.create_table(
        "billing_allocations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("bill_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source IN ('payment', 'credit', 'deposit')",
            name=op.f("ck_billing_allocations_source_valid"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_billing_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["billing_bills.id"],
            name=op.f("fk_billing_allocations_bill_id_billing_bills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_billing_allocations_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["billing_payments.id"],
            name=op.f("fk_billing_allocations_payment_id_billing_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_allocations")),
    )
    op.create_index(
        op.f("ix_billing_allocations_bill_id"), "billing_allocations", ["bill_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_allocations_payment_id"),
        "billing_allocations",
        ["payment_id"],
        unique=False,
    )
    op.create_table(
        "billing_deposit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'deducted_arrears') = (payment_id IS NOT NULL)",
            name=op.f("ck_billing_deposit_entries_arrears_payment"),
        ),
        sa.CheckConstraint(
            "kind IN ('received', 'topped_up', 'deducted_arrears', 'deducted_damages', 'refunded')",
            name=op.f("ck_billing_deposit_entries_kind_valid"),
        ),
        sa.CheckConstraint(
            "amount_fen > 0", name=op.f("ck_billing_deposit_entries_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_billing_deposit_entries_contract_id_lease_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_billing_deposit_entries_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_deposit_entries_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["billing_payments.id"],
            name=op.f("fk_billing_deposit_entries_payment_id_billing_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_deposit_entries")),
    )
    op.create_index(
        op.f("ix_billing_deposit_entries_contract_id"),
        "billing_deposit_entries",
        ["contract_id"],
        unique=False,
    )
    op.create_table(
        "billing_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'cash', 'wechat_pay', 'alipay', 'deposit')",
            name=op.f("ck_billing_refunds_method_valid"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_billing_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_billing_refunds_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_refunds_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["billing_payments.id"],
            name=op.f("fk_billing_refunds_payment_id_billing_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_refunds")),
    )
    op.create_index(
        op.f("ix_billing_refunds_payment_id"), "billing_refunds", ["payment_id"], unique=False
    )
    op.create_table(
        "billing_bill_lines",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("bill_id", sa.BigInteger(), nullable=False),
        sa.Column("charge_type", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("unit_price_fen", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("source_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("source_part", sa.BigInteger(), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "charge_type IN ('rent', 'property_fee', 'electricity', 'water', 'common_electricity', 'common_water', 'late_fee', 'adjustment')",
            name=op.f("ck_billing_bill_lines_charge_type_valid"),
        ),
        sa.CheckConstraint(
            "source_kind IS NULL OR source_kind IN ('schedule', 'reading', 'common_share', 'late_fee', 'adjustment')",
            name=op.f("ck_billing_bill_lines_source_kind_valid"),
        ),
        sa.CheckConstraint(
            "(source_kind IS NULL) = (source_id IS NULL)",
            name=op.f("ck_billing_bill_lines_source_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["billing_bills.id"],
            name=op.f("fk_billing_bill_lines_bill_id_billing_bills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_billing_bill_lines_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_bill_lines")),
        sa.UniqueConstraint(
            "source_kind", "source_id", "source_part", name="uq_billing_bill_lines_source"
        ),
    )
    op.create_index(
        op.f("ix_billing_bill_lines_bill_id"), "billing_bill_lines", ["bill_id"], unique=False
    )
    op.create_table(
        "billing_meters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("multiplier", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("initial_reading", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(scope = 'unit') = (unit_id IS NOT NULL)",
            name=op.f("ck_billing_meters_unit_iff_unit_scope"),
        ),
        sa.CheckConstraint(
            "kind IN ('electricity', 'water')", name=op.f("ck_billing_meters_kind_valid")
        ),
        sa.CheckConstraint(
            "scope IN ('unit', 'common')", name=op.f("ck_billing_meters_scope_valid")
        ),
        sa.CheckConstraint(
            "initial_reading >= 0", name=op.f("ck_billing_meters_initial_not_negative")
        ),
        sa.CheckConstraint("multiplier > 0", name=op.f("ck_billing_meters_multiplier_positive")),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_billing_meters_building_id_buildings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_billing_meters_park_id_parks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_billing_meters_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_meters")),
        sa.UniqueConstraint("park_id", "code", name=op.f("uq_billing_meters_park_id_code")),
    )
    op.create_index(
        op.f("ix_billing_meters_building_id"), "billing_meters", ["building_id"], unique=False
    )
    op.create_index(op.f("ix_billing_meters_unit_id"), "billing_meters", ["unit_id"], unique=False)
    op.create_table(
        "billing_credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.BigInteger(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("bill_line_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'late_fee_waiver') = (bill_line_id IS NOT NULL)",
            name=op.f("ck_billing_credit_notes_waiver_names_line"),
        ),
        sa.CheckConstraint(
            "kind IN ('void', 'correction', 'late_fee_waiver')",
            name=op.f("ck_billing_credit_notes_kind_valid"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_billing_credit_notes_amount_positive")),
        sa.CheckConstraint(
            "length(btrim(reason)) > 0", name=op.f("ck_billing_credit_notes_reason_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["billing_bills.id"],
            name=op.f("fk_billing_credit_notes_bill_id_billing_bills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["bill_line_id"],
            ["billing_bill_lines.id"],
            name=op.f("fk_billing_credit_notes_bill_line_id_billing_bill_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_billing_credit_notes_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_billing_credit_notes_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_credit_notes")),
    )
    op.create_index(
        op.f("ix_billing_credit_notes_bill_id"), "billing_credit_notes", ["bill_id"], unique=False
    )
    op.create_table(
        "billing_meter_readings",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("reading_month", sa.Date(), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("previous_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("replaced", sa.Boolean(), nullable=False),
        sa.Column("old_final_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("new_start_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("consumption", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=16, scale=4), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "EXTRACT(DAY FROM reading_month) = 1",
            name=op.f("ck_billing_meter_readings_reading_month_first_day"),
        ),
        sa.CheckConstraint(
            "consumption >= 0 AND quantity >= 0",
            name=op.f("ck_billing_meter_readings_consumption_not_negative"),
        ),
        sa.CheckConstraint(
            "replaced = (old_final_value IS NOT NULL AND new_start_value IS NOT NULL)",
            name=op.f("ck_billing_meter_readings_replacement_complete"),
        ),
        sa.CheckConstraint(
            "replaced OR value >= previous_value",
            name=op.f("ck_billing_meter_readings_no_decrease_without_replacement"),
        ),
        sa.CheckConstraint(
            "value >= 0 AND previous_value >= 0",
            name=op.f("ck_billing_meter_readings_values_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["users.id"],
            name=op.f("fk_billing_meter_readings_confirmed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["users.id"],
            name=op.f("fk_billing_meter_readings_entered_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meter_id"],
            ["billing_meters.id"],
            name=op.f("fk_billing_meter_readings_meter_id_billing_meters"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_meter_readings")),
        sa.UniqueConstraint(
            "meter_id",
            "reading_month",
            name=op.f("uq_billing_meter_readings_meter_id_reading_month"),
        ),
    )
    op.create_index(
        op.f("ix_billing_meter_readings_reading_month"),
        "billing_meter_readings",
        ["reading_month"],
        unique=False,
    )
    for statement in _statements(TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(DROP_FUNCTIONS):
        op.execute(statement)
    op.drop_index(
        op.f("ix_billing_meter_readings_reading_month"), table_name="billing_meter_readings"
    )
    op.drop_table("billing_meter_readings")
    op.drop_index(op.f("ix_billing_credit_notes_bill_id"), table_name="billing_credit_notes")
    op.drop_table("billing_credit_notes")
    op.drop_index(op.f("ix_billing_meters_unit_id"), table_name="billing_meters")
    op.drop_index(op.f("ix_billing_meters_building_id"), table_name="billing_meters")
    op.drop_table("billing_meters")
    op.drop_index(op.f("ix_billing_bill_lines_bill_id"), table_name="billing_bill_lines")
    op.drop_table("billing_bill_lines")
    op.drop_index(op.f("ix_billing_refunds_payment_id"), table_name="billing_refunds")
    op.drop_table("billing_refunds")
    op.drop_index(
        op.f("ix_billing_deposit_entries_contract_id"), table_name="billing_deposit_entries"
    )
    op.drop_table("billing_deposit_entries")
    op.drop_index(op.f("ix_billing_allocations_payment_id"), table_name="billing_allocations")
    op.drop_index(op.f("ix_billing_allocations_bill_id"), table_name="billing_allocations")
    op.drop_table("billing_allocations")
    op.drop_index(op.f("ix_billing_payments_enterprise_id"), table_name="billing_payments")
    op.drop_table("billing_payments")
    op.drop_table("billing_deposit_accounts")
    op.drop_index(op.f("ix_billing_bills_status_due_date"), table_name="billing_bills")
    op.drop_index(op.f("ix_billing_bills_run_month"), table_name="billing_bills")
    op.drop_index(op.f("ix_billing_bills_enterprise_id_status"), table_name="billing_bills")
    op.drop_table("billing_bills")
    op.drop_index(op.f("ix_billing_adjustments_contract_id"), table_name="billing_adjustments")
    op.drop_table("billing_adjustments")
    op.drop_index(op.f("ix_billing_tariffs_park_id_kind"), table_name="billing_tariffs")
    op.drop_table("billing_tariffs")
    op.drop_index(op.f("ix_billing_runs_run_month"), table_name="billing_runs")
    op.drop_table("billing_runs")
    op.drop_index(op.f("ix_billing_payment_slips_status"), table_name="billing_payment_slips")
    op.drop_index(
        op.f("ix_billing_payment_slips_enterprise_id"), table_name="billing_payment_slips"
    )
    op.drop_table("billing_payment_slips")
    op.drop_table("billing_park_settings")
