"""Imports as jobs on the queue: upload and staged rows in the database

Revision ID: a10j00000001
Revises: 1c46df2ad901
Create Date: 2026-12-01 13:00:00

The upload moves from the instance folder into import_uploads (several app
servers, one database); checked rows wait in import_staged_rows until they
are moved into the directory. import_jobs gains its settings (they were a
JSON file beside the upload), a worker and heartbeat, a cancel flag, a
failure reason and a count of rows imported with warnings. Jobs left
"running" or "writing" by the thread-based importer are marked failed.
Plain ALTER TABLE on SQLite (see 1c46df2ad901).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a10j00000001'
down_revision = '1c46df2ad901'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_jobs', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('warning_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('failure', sa.String(length=40), nullable=True))
    op.execute("UPDATE import_jobs SET status = 'failed' WHERE status IN ('running', 'writing')")
    op.create_table(
        'import_uploads',
        sa.Column('job_id', sa.Integer(), sa.ForeignKey('import_jobs.id', ondelete='CASCADE'), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('job_id', 'seq'),
    )
    op.create_table(
        'import_staged_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), sa.ForeignKey('import_jobs.id', ondelete='CASCADE'), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_import_staged_rows_job', 'import_staged_rows', ['job_id', 'id'])


def downgrade():
    op.drop_index('ix_import_staged_rows_job', table_name='import_staged_rows')
    op.drop_table('import_staged_rows')
    op.drop_table('import_uploads')
    with op.batch_alter_table('import_jobs', schema=None, recreate='never') as batch_op:
        for column in ('failure', 'cancel_requested', 'heartbeat_at', 'worker', 'warning_count', 'settings'):
            batch_op.drop_column(column)
