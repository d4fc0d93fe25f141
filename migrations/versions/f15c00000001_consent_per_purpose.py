"""Consent per purpose, with proof: consent_events, customer_consents

Revision ID: f15c00000001
Revises: f11a00000001
Create Date: 2026-12-01 15:00:00

Issue 15. The two checkboxes that came before (customers.email_notifications,
customers.marketing_consent) become history rows of method "legacy" and the
current state, then go:
- email_notifications (seed 002: receipts and other emails) -> e_receipts "yes";
- marketing_consent -> email_marketing "yes" (the import read Shopify's
  "Accepts Email Marketing" and Square's subscription status into it).
An unticked box never told "no" from "never asked": it stays unknown (no row).
Plain ALTER TABLE DROP COLUMN (SQLite >= 3.35), no batch copy of customers:
other tables reference it with ON DELETE CASCADE.
"""
import sqlalchemy as sa
from alembic import op

revision = 'f15c00000001'
down_revision = 'f11a00000001'
branch_labels = None
depends_on = None

LEGACY_TEXT = "Case cochée avant l'historique des consentements"


def upgrade():
    op.create_table(
        'consent_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('source_file', sa.String(length=255), nullable=True),
        sa.Column('source_column', sa.String(length=120), nullable=True),
        sa.Column('import_job_id', sa.Integer(), nullable=True),
        sa.Column('text_shown', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consent_events_customer', 'consent_events', ['customer_id', 'purpose', 'recorded_at'])
    op.create_index('ix_consent_events_import_job', 'consent_events', ['import_job_id'])
    op.create_table(
        'customer_consents',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['consent_events.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('customer_id', 'purpose'),
    )
    op.create_index('ix_customer_consents_purpose_state', 'customer_consents', ['purpose', 'state', 'customer_id'])

    # The old checkboxes: a ticked one becomes a "yes" dated by the customer's
    # last change (the best date known), an unticked one stays unknown.
    for column, purpose in (('email_notifications', 'e_receipts'), ('marketing_consent', 'email_marketing')):
        op.execute(sa.text(
            "INSERT INTO consent_events (customer_id, purpose, state, method, recorded_at, text_shown) "
            f"SELECT id, '{purpose}', 'yes', 'legacy', updated_at, :text FROM customers "
            f"WHERE {column} AND NOT anonymised").bindparams(text=LEGACY_TEXT))
    op.execute(
        "INSERT INTO customer_consents (customer_id, purpose, state, changed_at, event_id) "
        "SELECT customer_id, purpose, state, recorded_at, id FROM consent_events")
    with op.batch_alter_table('customers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('email_notifications')
        batch_op.drop_column('marketing_consent')


def downgrade():
    with op.batch_alter_table('customers', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('email_notifications', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('marketing_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    for column, purpose in (('email_notifications', 'e_receipts'), ('marketing_consent', 'email_marketing')):
        op.execute(f"UPDATE customers SET {column} = (id IN (SELECT customer_id FROM customer_consents "
                   f"WHERE purpose = '{purpose}' AND state = 'yes'))")
    op.drop_table('customer_consents')
    op.drop_table('consent_events')
