"""Loyalty at the till: redemption rate, reward kinds, discounts on a sale,
partial refunds.

Revision ID: b11a00000001
Revises: a10p00000001
Create Date: 2026-12-01 12:30:00

Plain ALTER TABLE ... ADD COLUMN only (nullable, or with a string server
default): on SQLite batch mode's copy-and-move would cascade into the tables
that reference sales, rewards and shop_settings (see 1c46df2ad901).
"""
from alembic import op
import sqlalchemy as sa


revision = 'b11a00000001'
down_revision = 'a10p00000001'
branch_labels = None
depends_on = None

_ZERO = dict(nullable=False, server_default='0')

SALE_COLUMNS = [
    ('subtotal_cents', sa.Integer(), _ZERO),
    ('customer_discount_percent', sa.Integer(), _ZERO),
    ('customer_discount_cents', sa.Integer(), _ZERO),
    ('reward_label', sa.String(120), {}),
    ('reward_discount_cents', sa.Integer(), _ZERO),
    ('points_redeemed', sa.Integer(), _ZERO),
    ('points_discount_cents', sa.Integer(), _ZERO),
    ('points_earned_reversed', sa.Integer(), _ZERO),
    ('points_redeemed_returned', sa.Integer(), _ZERO),
    ('points_unrecovered', sa.Integer(), _ZERO),
    ('refunded_cents', sa.Integer(), _ZERO),
]
REWARD_COLUMNS = [
    ('kind', sa.String(10), {}),
    ('value', sa.Integer(), {}),
    ('item_name', sa.String(120), {}),
    ('note', sa.String(200), {}),
]


def upgrade():
    with op.batch_alter_table('shop_settings', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('redeem_points', sa.Integer(), nullable=False, server_default='100'))
        batch_op.add_column(sa.Column('redeem_value_cents', sa.Integer(), nullable=False, server_default='500'))
    with op.batch_alter_table('sales', recreate='never') as batch_op:
        for name, type_, options in SALE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, **options))
    with op.batch_alter_table('sale_items', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('refunded_quantity', sa.Integer(), **_ZERO))
    with op.batch_alter_table('rewards', recreate='never') as batch_op:
        for name, type_, options in REWARD_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, **options))
    # The sale that spent the reward: a refund gives it back. SQLite takes the
    # REFERENCES clause in a plain ADD COLUMN (Alembic would copy the table).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE rewards ADD COLUMN sale_id INTEGER '
                   'REFERENCES sales (id) ON DELETE SET NULL')
    else:
        op.add_column('rewards', sa.Column('sale_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_rewards_sale_id', 'rewards', 'sales', ['sale_id'], ['id'], ondelete='SET NULL')


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:
        op.drop_constraint('fk_rewards_sale_id', 'rewards', type_='foreignkey')
    with op.batch_alter_table('rewards', recreate='never') as batch_op:
        batch_op.drop_column('sale_id')
        for name, _type, _options in reversed(REWARD_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('sale_items', recreate='never') as batch_op:
        batch_op.drop_column('refunded_quantity')
    with op.batch_alter_table('sales', recreate='never') as batch_op:
        for name, _type, _options in reversed(SALE_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('shop_settings', recreate='never') as batch_op:
        batch_op.drop_column('redeem_value_cents')
        batch_op.drop_column('redeem_points')
