"""Retention settings, the data-quality inbox's ignored items and indexes

Revision ID: f15q00000001
Revises: f13p00000001
Create Date: 2026-12-01 15:10:00

Issue 15: automatic anonymisation (shop_settings.retention_*) and the
data-quality inbox: quality_ignored, one partial index per rule (only the
flagged rows are in it: models/quality_rules.py holds the same predicates,
written out here as they were then), an index on the email domain (per
dialect) and one on birthdays (impossible dates are two ranges of it).
"""
from alembic import op
import sqlalchemy as sa


revision = 'f15q00000001'
down_revision = 'f13p00000001'
branch_labels = None
depends_on = None

PARTIAL = {
    "ix_quality_review": ("customers", "id", "archived = false AND needs_review = true"),
    "ix_quality_names": ("customers", "id", (
        "archived = false AND ("
        "(first_name = upper(first_name) AND first_name <> lower(first_name) AND length(first_name) > 2)"
        " OR (last_name = upper(last_name) AND last_name <> lower(last_name) AND length(last_name) > 2)"
        " OR first_name <> trim(first_name) OR last_name <> trim(last_name)"
        " OR first_name LIKE '%  %' OR last_name LIKE '%  %')")),
    "ix_quality_bad_email": ("customers", "id", (
        "archived = false AND email IS NOT NULL AND ("
        "email NOT LIKE '%_@_%._%' OR email LIKE '% %' OR email LIKE '%@%@%' OR email LIKE '%..%'"
        " OR email LIKE '%.')")),
    "ix_quality_card_only": ("customers", "id", "archived = false AND origin = 'card' AND email IS NULL"),
    "ix_quality_unverified_phone": ("phones", "customer_id, id", "e164 IS NULL AND linked = true"),
}
EMAIL_DOMAIN = {
    "sqlite": "substr(email_key, instr(email_key, '@') + 1)",
    "postgresql": "split_part(email_key, '@', 2)",
}


def upgrade():
    with op.batch_alter_table('shop_settings', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('retention_enabled', sa.Boolean(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('retention_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('retention_confirmed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retention_starts_on', sa.Date(), nullable=True))
    op.create_table(
        'quality_ignored',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('ignored_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('kind', 'customer_id', 'subject_id'),
    )
    dialect = op.get_bind().dialect.name
    for name, (table, columns, predicate) in PARTIAL.items():
        op.execute(f"CREATE INDEX {name} ON {table} ({columns}) WHERE {predicate}")
    op.execute(f"CREATE INDEX ix_customers_email_domain ON customers ({EMAIL_DOMAIN.get(dialect, EMAIL_DOMAIN['sqlite'])})"
               if dialect == "sqlite" else
               f"CREATE INDEX ix_customers_email_domain ON customers (({EMAIL_DOMAIN['postgresql']}))")
    op.create_index('ix_customers_birthday', 'customers', ['birthday'])
    # The records merged into a customer (a deletion and the retention job take them too).
    op.execute("CREATE INDEX ix_customers_merged_into ON customers (merged_into_id) WHERE merged_into_id IS NOT NULL")


def downgrade():
    op.execute("DROP INDEX ix_customers_merged_into")
    op.drop_index('ix_customers_birthday', table_name='customers')
    op.execute("DROP INDEX ix_customers_email_domain")
    for name in PARTIAL:
        op.execute(f"DROP INDEX {name}")
    op.drop_table('quality_ignored')
    with op.batch_alter_table('shop_settings', schema=None, recreate='never') as batch_op:
        for column in ('retention_starts_on', 'retention_confirmed_by', 'retention_confirmed_at',
                       'retention_enabled', 'retention_years'):
            batch_op.drop_column(column)
