"""employees.must_change_password

Revision ID: 1c46df2ad901
Revises: 694d230f1a6e
Create Date: 2026-11-23 01:00:00

A temporary password (new employee, reset by a manager) must be replaced at
the next sign-in. Existing employees keep the password they have: false.

On SQLite both directions must be a plain ALTER TABLE, never batch mode's
copy-and-move: with foreign keys on, dropping the old employees table would
cascade and empty employee_sessions and employee_locations. Hence a string
server default ('0' reads as false on both databases; an SQL expression makes
Alembic copy the table) and recreate='never' (SQLite 3.35+ drops a column).
"""
from alembic import op
import sqlalchemy as sa


revision = '1c46df2ad901'
down_revision = '694d230f1a6e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employees', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('employees', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('must_change_password')
