"""The rights-protection ticket desk: departments, the dispatch catalogue, the working-day
calendar table, tickets with events, pauses and attachments, notifications;
users.department_id -> departments.

The seven departments and nine categories of the default catalogue are seeded here: they are the
desk's configuration (editable on /tickets/catalogue), not demo data, and government officers
cannot be created before their department exists.

Revision ID: 20261128_tickets
Revises: 20261128_documents
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261128_tickets"
down_revision = "20261128_documents"
branch_labels = None
depends_on = None

# code, name, English name, kind. Ids follow this order (market supervision is 1).
DEPARTMENTS = [
    ("market_supervision", "市场监督管理局", "Market Supervision Administration", "government"),
    ("human_resources", "人力资源和社会保障局", "Human Resources and Social Security Bureau", "government"),
    ("tax", "税务局", "Tax Bureau", "government"),
    ("commerce", "商务局", "Commerce Bureau", "government"),
    (
        "public_security_economic",
        "公安局经济犯罪侦查大队",
        "Public Security Bureau, Economic Crime Investigation Unit",
        "government",
    ),
    ("power_supply", "供电公司", "Power Supply Company", "government"),
    ("park_management", "园区管理委员会", "Park Management Committee", "park"),
]
# code, name, English name, lead department code, co-handling department codes.
CATEGORIES = [
    ("ip_counterfeit", "知识产权与假冒侵权", "IP infringement and counterfeits", "market_supervision", ["public_security_economic"]),
    ("contract_payment", "合同与货款纠纷", "Contract and payment disputes", "commerce", ["market_supervision"]),
    ("labour_recruitment", "劳动用工与招聘", "Labour and recruitment", "human_resources", []),
    ("utilities", "水电与基础设施", "Utilities and infrastructure", "power_supply", ["park_management"]),
    ("logistics", "物流快递", "Logistics", "commerce", ["park_management"]),
    ("tax_policy", "税收与政策兑现", "Tax and policy", "tax", ["park_management"]),
    ("financing", "融资与金融服务", "Financing", "park_management", ["commerce"]),
    ("safety_environment", "安全生产与环保", "Safety and environment", "park_management", []),
    ("other", "其他", "Other", "park_management", []),
]


def _seed_catalogue() -> None:
    conn = op.get_bind()
    ids = {}
    for code, name, name_en, kind in DEPARTMENTS:
        ids[code] = conn.execute(
            sa.text(
                "INSERT INTO departments (code, name, name_en, kind, is_active) "
                "VALUES (:code, :name, :name_en, :kind, true) RETURNING id"
            ),
            {"code": code, "name": name, "name_en": name_en, "kind": kind},
        ).scalar_one()
    for order, (code, name, name_en, lead, co) in enumerate(CATEGORIES, start=1):
        category_id = conn.execute(
            sa.text(
                "INSERT INTO ticket_categories (code, name, name_en, lead_department_id, "
                "accept_days, first_reply_days, resolve_days, return_days, follow_up_days, "
                "sort_order, is_active) VALUES (:code, :name, :name_en, :lead, 1, 3, 15, 2, 5, "
                ":order, true) RETURNING id"
            ),
            {"code": code, "name": name, "name_en": name_en, "lead": ids[lead], "order": order * 10},
        ).scalar_one()
        for other in co:
            conn.execute(
                sa.text(
                    "INSERT INTO ticket_category_co_departments (category_id, department_id) "
                    "VALUES (:c, :d)"
                ),
                {"c": category_id, "d": ids[other]},
            )


def upgrade() -> None:
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('government', 'park')", name=op.f('ck_departments_kind_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    op.create_table('ticket_number_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_ticket_number_counters'))
    )
    op.create_table('ticket_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=False),
    sa.Column('accept_days', sa.Integer(), nullable=False),
    sa.Column('first_reply_days', sa.Integer(), nullable=False),
    sa.Column('resolve_days', sa.Integer(), nullable=False),
    sa.Column('return_days', sa.Integer(), nullable=False),
    sa.Column('follow_up_days', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('accept_days BETWEEN 1 AND 30', name=op.f('ck_ticket_categories_accept_days_range')),
    sa.CheckConstraint('first_reply_days BETWEEN 1 AND 60', name=op.f('ck_ticket_categories_first_reply_days_range')),
    sa.CheckConstraint('follow_up_days BETWEEN 1 AND 30', name=op.f('ck_ticket_categories_follow_up_days_range')),
    sa.CheckConstraint('resolve_days BETWEEN 1 AND 60', name=op.f('ck_ticket_categories_resolve_days_range')),
    sa.CheckConstraint('return_days BETWEEN 1 AND 30', name=op.f('ck_ticket_categories_return_days_range')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_ticket_categories_lead_department_id_departments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_ticket_categories_code'))
    )
    op.create_index(op.f('ix_ticket_categories_lead_department_id'), 'ticket_categories', ['lead_department_id'], unique=False)
    op.create_table('ticket_category_co_departments',
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_categories.id'], name=op.f('fk_ticket_category_co_departments_category_id_ticket_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_ticket_category_co_departments_department_id_departments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('category_id', 'department_id', name=op.f('pk_ticket_category_co_departments'))
    )
    op.create_index(op.f('ix_ticket_category_co_departments_department_id'), 'ticket_category_co_departments', ['department_id'], unique=False)
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('preferred_contact', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('contact_detail', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('accept_days', sa.Integer(), nullable=False),
    sa.Column('first_reply_days', sa.Integer(), nullable=False),
    sa.Column('resolve_days', sa.Integer(), nullable=False),
    sa.Column('return_days', sa.Integer(), nullable=False),
    sa.Column('follow_up_days', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_requested_days', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_reply_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolve_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accept_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accept_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('first_reply_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_reply_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('resolve_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolve_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('return_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('follow_up_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("channel IN ('online', 'phone', 'walk_in')", name=op.f('ck_tickets_channel_valid')),
    sa.CheckConstraint("preferred_contact IN ('in_app', 'phone', 'email')", name=op.f('ck_tickets_preferred_contact_valid')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'rejected', 'merged', 'dispatched', 'in_progress', 'awaiting_enterprise', 'returned', 'replied', 'reopened', 'closed', 'withdrawn')", name=op.f('ck_tickets_status_valid')),
    sa.CheckConstraint('char_length(subject) BETWEEN 1 AND 200', name=op.f('ck_tickets_subject_length')),
    sa.CheckConstraint('extension_requested_days IS NULL OR extension_requested_days > 0', name=op.f('ck_tickets_extension_requested_positive')),
    sa.CheckConstraint('merged_into_id IS NULL OR merged_into_id <> id', name=op.f('ck_tickets_merge_not_self')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_tickets_rating_range')),
    sa.CheckConstraint('reopen_count BETWEEN 0 AND 1', name=op.f('ck_tickets_reopen_count_range')),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_categories.id'], name=op.f('fk_tickets_category_id_ticket_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_tickets_enterprise_id_enterprises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_tickets_filed_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_tickets_lead_department_id_departments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['tickets.id'], name=op.f('fk_tickets_merged_into_id_tickets'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number'))
    )
    op.create_index(op.f('ix_tickets_category_id'), 'tickets', ['category_id'], unique=False)
    op.create_index('ix_tickets_enterprise_id_submitted_at', 'tickets', ['enterprise_id', 'submitted_at'], unique=False)
    op.create_index('ix_tickets_lead_department_id_status', 'tickets', ['lead_department_id', 'status'], unique=False)
    op.create_index('ix_tickets_overdue_open', 'tickets', ['next_due_at'], unique=False, postgresql_where=sa.text('overdue'))
    op.create_index('ix_tickets_status_next_due_at', 'tickets', ['status', 'next_due_at'], unique=False)
    op.create_table('work_calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('holiday', 'workday', 'closure')", name=op.f('ck_work_calendar_days_kind_valid')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_work_calendar_days_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_work_calendar_days'))
    )
    op.create_table('work_calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('filled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('filled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_work_calendar_years_year_range')),
    sa.ForeignKeyConstraint(['filled_by_id'], ['users.id'], name=op.f('fk_work_calendar_years_filled_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_work_calendar_years'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_notifications_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index(op.f('ix_notifications_ticket_id'), 'notifications', ['ticket_id'], unique=False)
    op.create_index('ix_notifications_unread', 'notifications', ['user_id'], unique=False, postgresql_where=sa.text('read_at IS NULL'))
    op.create_index('ix_notifications_user_id_created_at', 'notifications', ['user_id', 'created_at'], unique=False)
    op.create_table('ticket_co_departments',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_ticket_co_departments_department_id_departments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_co_departments_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'department_id', name=op.f('pk_ticket_co_departments'))
    )
    op.create_index(op.f('ix_ticket_co_departments_department_id'), 'ticket_co_departments', ['department_id'], unique=False)
    op.create_table('ticket_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.CheckConstraint("visibility IN ('public', 'internal')", name=op.f('ck_ticket_events_visibility_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ticket_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    op.create_index(op.f('ix_ticket_events_action'), 'ticket_events', ['action'], unique=False)
    op.create_index('ix_ticket_events_ticket_id_at', 'ticket_events', ['ticket_id', 'at'], unique=False)
    op.create_table('ticket_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.CheckConstraint("from_status IN ('submitted', 'accepted', 'rejected', 'merged', 'dispatched', 'in_progress', 'awaiting_enterprise', 'returned', 'replied', 'reopened', 'closed', 'withdrawn')", name=op.f('ck_ticket_pauses_from_status_valid')),
    sa.CheckConstraint('resumed_at IS NULL OR resumed_at >= paused_at', name=op.f('ck_ticket_pauses_resume_order')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_pauses_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_pauses'))
    )
    op.create_index(op.f('ix_ticket_pauses_ticket_id'), 'ticket_pauses', ['ticket_id'], unique=False)
    op.create_index('uq_ticket_pauses_open', 'ticket_pauses', ['ticket_id'], unique=True, postgresql_where=sa.text('resumed_at IS NULL'))
    op.create_table('ticket_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('stored_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['ticket_events.id'], name=op.f('fk_ticket_attachments_event_id_ticket_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_attachments_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_ticket_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_ticket_attachments_stored_name'))
    )
    op.create_index(op.f('ix_ticket_attachments_ticket_id'), 'ticket_attachments', ['ticket_id'], unique=False)
    # users.department_id existed since the accounts migration; it gets its foreign key here.
    op.create_foreign_key(op.f('fk_users_department_id_departments'), 'users', 'departments', ['department_id'], ['id'], ondelete='RESTRICT')
    _seed_catalogue()


def downgrade() -> None:
    op.drop_constraint(op.f('fk_users_department_id_departments'), 'users', type_='foreignkey')
    op.drop_index(op.f('ix_ticket_attachments_ticket_id'), table_name='ticket_attachments')
    op.drop_table('ticket_attachments')
    op.drop_index('uq_ticket_pauses_open', table_name='ticket_pauses', postgresql_where=sa.text('resumed_at IS NULL'))
    op.drop_index(op.f('ix_ticket_pauses_ticket_id'), table_name='ticket_pauses')
    op.drop_table('ticket_pauses')
    op.drop_index('ix_ticket_events_ticket_id_at', table_name='ticket_events')
    op.drop_index(op.f('ix_ticket_events_action'), table_name='ticket_events')
    op.drop_table('ticket_events')
    op.drop_index(op.f('ix_ticket_co_departments_department_id'), table_name='ticket_co_departments')
    op.drop_table('ticket_co_departments')
    op.drop_index('ix_notifications_user_id_created_at', table_name='notifications')
    op.drop_index('ix_notifications_unread', table_name='notifications', postgresql_where=sa.text('read_at IS NULL'))
    op.drop_index(op.f('ix_notifications_ticket_id'), table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('work_calendar_years')
    op.drop_table('work_calendar_days')
    op.drop_index('ix_tickets_status_next_due_at', table_name='tickets')
    op.drop_index('ix_tickets_overdue_open', table_name='tickets', postgresql_where=sa.text('overdue'))
    op.drop_index('ix_tickets_lead_department_id_status', table_name='tickets')
    op.drop_index('ix_tickets_enterprise_id_submitted_at', table_name='tickets')
    op.drop_index(op.f('ix_tickets_category_id'), table_name='tickets')
    op.drop_table('tickets')
    op.drop_index(op.f('ix_ticket_category_co_departments_department_id'), table_name='ticket_category_co_departments')
    op.drop_table('ticket_category_co_departments')
    op.drop_index(op.f('ix_ticket_categories_lead_department_id'), table_name='ticket_categories')
    op.drop_table('ticket_categories')
    op.drop_table('ticket_number_counters')
    op.drop_table('departments')
