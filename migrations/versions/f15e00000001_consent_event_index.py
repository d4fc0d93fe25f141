"""customer_consents.event_id indexed

Revision ID: f15e00000001
Revises: f15q00000001
Create Date: 2026-12-01 19:40:00

Issue 15. Deleting a customer's consent events (deletion, anonymisation) sets
customer_consents.event_id to NULL (ON DELETE SET NULL); without an index on
it, each deleted event read the whole table: an anonymisation run over a
million customers (700,000 consent rows) did not end in ten minutes.
"""
from alembic import op

revision = 'f15e00000001'
down_revision = 'f15q00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_customer_consents_event', 'customer_consents', ['event_id'])


def downgrade():
    op.drop_index('ix_customer_consents_event', table_name='customer_consents')
