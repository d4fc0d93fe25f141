"""Undo for 30 days: import_changes, merge_snapshots, import_jobs' undo columns

Revision ID: d15a00000001
Revises: c12a00000001
Create Date: 2026-12-01 13:10:00

Issue 15: what an import did (per customer) and what a merge changed, kept
for the undo window. Plain ALTER TABLE on import_jobs (nullable columns), no
batch copy: import_uploads and import_staged_rows reference it with
ON DELETE CASCADE (see 1c46df2ad901).
"""
from alembic import op
import sqlalchemy as sa


revision = 'd15a00000001'
down_revision = 'c12a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('created', sa.Boolean(), nullable=False),
        sa.Column('previous', sa.JSON(), nullable=True),
        sa.Column('version_after', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_import_changes_job', 'import_changes', ['job_id', 'id'])
    op.create_index('ix_import_changes_customer_id', 'import_changes', ['customer_id'])
    op.create_table(
        'merge_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('primary_id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['primary_id'], ['customers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_merge_snapshots_primary_id', 'merge_snapshots', ['primary_id'])
    op.create_index('ix_merge_snapshots_expires_at', 'merge_snapshots', ['expires_at'])
    op.create_table(
        'merge_snapshot_customers',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['merge_snapshots.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('snapshot_id', 'customer_id'),
    )
    op.create_index('ix_merge_snapshot_customers_customer_id', 'merge_snapshot_customers', ['customer_id'])
    with op.batch_alter_table('import_jobs', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('undo_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('undone_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('undo_report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('import_jobs', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('undo_report')
        batch_op.drop_column('undone_at')
        batch_op.drop_column('undo_status')
    op.drop_table('merge_snapshot_customers')
    op.drop_table('merge_snapshots')
    op.drop_table('import_changes')
