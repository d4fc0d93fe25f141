"""The catalogue of reward kinds in the loyalty settings: reward_types

Revision ID: f11a00000001
Revises: f13s00000001
Create Date: 2026-12-01 15:00:00

Issue 11: a fixed discount, a percentage or a free item, each named, chosen
when a reward is granted (its kind, value and item are copied onto the
reward). A new table only: nothing else is altered.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f11a00000001'
down_revision = 'f13s00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reward_types',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('item_name', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


def downgrade():
    op.drop_table('reward_types')
