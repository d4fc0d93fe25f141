"""customers.company, a birthday without its year, customers.needs_review

Revision ID: a10p00000001
Revises: a10j00000001
Create Date: 2026-12-01 12:40:00

Issue 10 (bringing a shop's customers in): the company of a B2B customer,
the day and month of a birthday given without a year (Square's `04-17`),
and the flag an import sets on a customer whose values it could not all read.

Plain ALTER TABLE on SQLite (recreate='never'), never batch mode's copy:
other tables reference customers with ON DELETE CASCADE (see 1c46df2ad901).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a10p00000001'
down_revision = 'a10j00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('company', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('birthday_month', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('birthday_day', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('customers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('needs_review')
        batch_op.drop_column('birthday_day')
        batch_op.drop_column('birthday_month')
        batch_op.drop_column('company')
