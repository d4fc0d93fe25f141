"""sign_in_failures: the per-address sign-in throttle; Gérant gets customers.discounts

Revision ID: c12a00000001
Revises: b11a00000001
Create Date: 2026-12-01 12:30:00

Failed sign-ins per email address (hashed), with the time before which the
next attempt is refused. A new table with no foreign key: nothing to copy on SQLite.

Discounts and the account profile became a capability of their own
(customers.discounts); the default Gérant set of an existing shop gets it, as
a new shop's does (the owner set has every capability anyway).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c12a00000001'
down_revision = 'b11a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failures',
        sa.Column('email_hash', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=False),
        sa.Column('blocked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('email_hash'),
    )
    connection = op.get_bind()
    for set_id, text in connection.execute(sa.text(
            "SELECT id, capabilities_text FROM permission_sets WHERE name = 'Gérant'")).all():
        capabilities = " ".join(sorted(set((text or "").split()) | {"customers.discounts"}))
        connection.execute(sa.text("UPDATE permission_sets SET capabilities_text = :caps WHERE id = :id"),
                           {"caps": capabilities, "id": set_id})


def downgrade():
    op.drop_table('sign_in_failures')
    connection = op.get_bind()
    for set_id, text in connection.execute(sa.text(
            "SELECT id, capabilities_text FROM permission_sets WHERE capabilities_text LIKE '%customers.discounts%'"
    )).all():
        capabilities = " ".join(sorted(set(text.split()) - {"customers.discounts"}))
        connection.execute(sa.text("UPDATE permission_sets SET capabilities_text = :caps WHERE id = :id"),
                           {"caps": capabilities, "id": set_id})
