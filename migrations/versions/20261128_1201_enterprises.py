"""Tenant enterprises, their online shops and user invitations; users.enterprise_id -> enterprises.

Revision ID: 20261128_enterprises
Revises: 20261128_inventory
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "20261128_enterprises"
down_revision = "20261128_inventory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('uscc', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('legal_representative', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('contact_person', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('contact_mobile', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('industry', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('registered_capital_fen', sa.BigInteger(), nullable=False),
    sa.Column('employee_count', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("contact_mobile ~ '^1[3-9][0-9]{9}$'", name=op.f('ck_enterprises_contact_mobile_format')),
    sa.CheckConstraint("industry IN ('down_apparel', 'childrens_clothing', 'ecommerce', 'accessories', 'logistics', 'other')", name=op.f('ck_enterprises_industry_valid')),
    sa.CheckConstraint("status IN ('prospect', 'tenant', 'former_tenant')", name=op.f('ck_enterprises_status_valid')),
    sa.CheckConstraint("uscc ~ '^[0-9A-HJ-NP-RTUW-Y]{18}$'", name=op.f('ck_enterprises_uscc_format')),
    sa.CheckConstraint('employee_count >= 0', name=op.f('ck_enterprises_employee_count_not_negative')),
    sa.CheckConstraint('length(btrim(name)) > 0', name=op.f('ck_enterprises_name_not_blank')),
    sa.CheckConstraint('registered_capital_fen >= 0', name=op.f('ck_enterprises_registered_capital_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises'))
    )
    op.create_index(op.f('ix_enterprises_industry'), 'enterprises', ['industry'], unique=False)
    op.create_index(op.f('ix_enterprises_status'), 'enterprises', ['status'], unique=False)
    # The guarantee behind the friendly "already registered" message: one row per USCC.
    op.create_index('uq_enterprises_uscc', 'enterprises', ['uscc'], unique=True)
    op.create_table('enterprise_shops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('shop_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.CheckConstraint("platform IN ('tmall', 'taobao', 'jd', 'pinduoduo', 'douyin', 'kuaishou', 'xiaohongshu', 'wechat', 'other')", name=op.f('ck_enterprise_shops_platform_valid')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_shops_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_shops')),
    sa.UniqueConstraint('enterprise_id', 'platform', 'shop_name', name=op.f('uq_enterprise_shops_enterprise_id_platform_shop_name'))
    )
    op.create_index(op.f('ix_enterprise_shops_enterprise_id'), 'enterprise_shops', ['enterprise_id'], unique=False)
    op.create_table('enterprise_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_user_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['accepted_user_id'], ['users.id'], name=op.f('fk_enterprise_invitations_accepted_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_invitations_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_enterprise_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_enterprise_invitations_token_hash'))
    )
    op.create_index(op.f('ix_enterprise_invitations_enterprise_id'), 'enterprise_invitations', ['enterprise_id'], unique=False)
    # users.enterprise_id existed since the accounts migration; it gets its foreign key here.
    op.create_foreign_key(op.f('fk_users_enterprise_id_enterprises'), 'users', 'enterprises', ['enterprise_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_users_enterprise_id_enterprises'), 'users', type_='foreignkey')
    op.drop_index(op.f('ix_enterprise_invitations_enterprise_id'), table_name='enterprise_invitations')
    op.drop_table('enterprise_invitations')
    op.drop_index(op.f('ix_enterprise_shops_enterprise_id'), table_name='enterprise_shops')
    op.drop_table('enterprise_shops')
    op.drop_index('uq_enterprises_uscc', table_name='enterprises')
    op.drop_index(op.f('ix_enterprises_status'), table_name='enterprises')
    op.drop_index(op.f('ix_enterprises_industry'), table_name='enterprises')
    op.drop_table('enterprises')
