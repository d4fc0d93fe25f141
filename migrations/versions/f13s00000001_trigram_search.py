"""Search by the databases' own trigram indexes: customers.phone_search, the
documents rebuilt, SQLite FTS5 (customer_fts, kept in step by triggers) or
PostgreSQL pg_trgm GIN indexes; customer_search_terms dropped.

Revision ID: f13s00000001
Revises: d15a00000001
Create Date: 2026-12-01 15:10:00

Issue 13. The three documents are computed by search_index.documents (the
code the application writes them with) over every customer, streamed in id
order, then the indexes are built once over the filled column: building
them first would pay an index update per row.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f13s00000001'
down_revision = 'd15a00000001'
branch_labels = None
depends_on = None

COLUMNS = ("name_search", "email_search", "phone_search")

SQLITE_FTS = """
CREATE VIRTUAL TABLE customer_fts USING fts5(
    name_search, email_search, phone_search,
    content='customers', content_rowid='id', tokenize='trigram')
"""
# External content: FTS5 reads the text from customers and holds only the
# index; these triggers keep it in step with every write of the three
# columns, whoever makes it (ORM, bulk import, demo loader, deletion). The
# 'delete' command must be given the old values, which OLD has.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER customer_fts_insert AFTER INSERT ON customers BEGIN
        INSERT INTO customer_fts(rowid, name_search, email_search, phone_search)
        VALUES (new.id, new.name_search, new.email_search, new.phone_search);
    END""",
    """CREATE TRIGGER customer_fts_delete AFTER DELETE ON customers BEGIN
        INSERT INTO customer_fts(customer_fts, rowid, name_search, email_search, phone_search)
        VALUES ('delete', old.id, old.name_search, old.email_search, old.phone_search);
    END""",
    """CREATE TRIGGER customer_fts_update AFTER UPDATE OF name_search, email_search, phone_search ON customers
    BEGIN
        INSERT INTO customer_fts(customer_fts, rowid, name_search, email_search, phone_search)
        VALUES ('delete', old.id, old.name_search, old.email_search, old.phone_search);
        INSERT INTO customer_fts(rowid, name_search, email_search, phone_search)
        VALUES (new.id, new.name_search, new.email_search, new.phone_search);
    END""",
)


def upgrade():
    connection = op.get_bind()
    dialect = connection.dialect.name
    op.drop_table('customer_search_terms')
    op.drop_index('ix_customers_name_search', table_name='customers')
    op.add_column('customers', sa.Column('phone_search', sa.String(length=400), nullable=False,
                                         server_default=''))
    if dialect == 'postgresql':
        # A longer varchar is a catalogue change only (no rewrite).
        op.execute("ALTER TABLE customers ALTER COLUMN name_search TYPE varchar(400)")
    _fill_documents(connection)
    if dialect == 'sqlite':
        op.execute(SQLITE_FTS)
        op.execute("INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')")
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    elif dialect == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in COLUMNS:
            op.execute(f"CREATE INDEX ix_customers_{column}_trgm ON customers USING gin ({column} gin_trgm_ops)")
        op.execute("ANALYZE customers")


def _fill_documents(connection) -> None:
    """Every customer's documents, from its names, email, company and linked phones."""
    from core.search_index import documents
    # id and four short texts: ~150 MB at a million customers.
    rows = connection.execute(sa.text(
        "SELECT id, first_name, last_name, email, company, anonymised FROM customers ORDER BY id")).all()
    if not rows:
        return
    phones: dict[int, tuple[list, list]] = {}
    for customer_id, e164, digits in connection.execute(sa.text(
            "SELECT customer_id, e164, digits FROM phones WHERE linked ORDER BY id")):
        linked, unverified = phones.setdefault(customer_id, ([], []))
        (linked if e164 else unverified).append(e164 or digits)
    values = []
    for customer_id, first, last, email, company, anonymised in rows:
        if anonymised:
            continue
        linked, unverified = phones.get(customer_id, ((), ()))
        docs = documents(first, last, email, linked, company, unverified)
        values.append((docs["name_search"], docs["email_search"], docs["phone_search"], customer_id))
    del rows, phones
    if connection.dialect.name == 'postgresql':
        _update_postgresql(connection, values)
    else:
        for start in range(0, len(values), 50000):
            connection.exec_driver_sql(
                "UPDATE customers SET name_search = ?, email_search = ?, phone_search = ? WHERE id = ?",
                values[start:start + 50000])


def _update_postgresql(connection, values) -> None:
    """COPY the documents into a temporary table and update from it: one
    statement, where a million single-row UPDATEs would take minutes."""
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE search_documents "
                       "(name_search text, email_search text, phone_search text, id integer) ON COMMIT DROP")
        with cursor.copy("COPY search_documents FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute("UPDATE customers SET name_search = d.name_search, email_search = d.email_search, "
                       "phone_search = d.phone_search FROM search_documents d WHERE customers.id = d.id")
        cursor.execute("DROP TABLE search_documents")


def downgrade():
    """Back to the term table, empty: run `flask reindex-search` of that
    version to fill it again."""
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        for name in ("customer_fts_insert", "customer_fts_delete", "customer_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS customer_fts")
    elif connection.dialect.name == 'postgresql':
        for column in COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_customers_{column}_trgm")
    # Not a batch copy: on SQLite, dropping the old customers table would
    # cascade to their phones (foreign keys are on). SQLite 3.35+ drops a column.
    op.execute("ALTER TABLE customers DROP COLUMN phone_search")
    op.create_index('ix_customers_name_search', 'customers', ['name_search'])
    op.create_table(
        'customer_search_terms',
        sa.Column('field', sa.String(length=8), nullable=False),
        sa.Column('term', sa.String(length=80), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('field', 'term', 'customer_id'),
    )
    op.create_index('ix_customer_search_terms_customer', 'customer_search_terms', ['customer_id', 'field', 'term'])
