"""the purchase index: item_names and customer_purchases

Revision ID: 694d230f1a6e
Revises: 3067bbc37c81
Create Date: 2026-11-23 00:50:00

The directory's "item purchased" filter read sale_items through
ix_sale_items_name; it now reads customer_purchases (purchase_index.py),
so that index goes. Existing sales are indexed here. ix_sales_card now
starts with the last four digits, the payment filter has an index, and
the search terms' customer index covers (customer_id, field, term).
"""
from alembic import op
import sqlalchemy as sa


revision = '694d230f1a6e'
down_revision = '3067bbc37c81'
branch_labels = None
depends_on = None

KEY = sa.String(length=120).with_variant(sa.String(length=120, collation='C'), 'postgresql')


def upgrade():
    op.create_table('item_names',
    sa.Column('name_key', KEY, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('name_key')
    )
    op.create_table('customer_purchases',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name_key', KEY, nullable=False),
    sa.Column('sold_at', sa.DateTime(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'name_key', 'sold_at', 'sale_id'),
    sqlite_with_rowid=False
    )
    op.execute("INSERT INTO item_names (name_key, name) "
               "SELECT name_key, MIN(name) FROM sale_items WHERE name_key <> '' GROUP BY name_key")
    op.execute("INSERT INTO customer_purchases (customer_id, name_key, sold_at, sale_id) "
               "SELECT DISTINCT s.customer_id, i.name_key, s.created_at, s.id "
               "FROM sales s JOIN sale_items i ON i.sale_id = s.id "
               "WHERE s.customer_id IS NOT NULL AND s.status <> 'voided' AND i.name_key <> ''")
    op.create_index('ix_customer_purchases_item', 'customer_purchases', ['name_key', 'sold_at', 'customer_id'])
    op.drop_index('ix_sale_items_name', table_name='sale_items')
    # The directory's payment filter (invoices are a few percent of sales).
    op.create_index('ix_sales_payment_created', 'sales', ['payment_method', 'created_at'])
    # A customer's own terms, covering: the other words of a search are probed per customer.
    op.drop_index('ix_customer_search_terms_customer', table_name='customer_search_terms')
    op.create_index('ix_customer_search_terms_customer', 'customer_search_terms', ['customer_id', 'field', 'term'])
    # The last four digits lead: the directory filters by them alone too.
    op.drop_index('ix_sales_card', table_name='sales')
    op.create_index('ix_sales_card', 'sales', ['card_last4', 'card_brand'])


def downgrade():
    op.drop_index('ix_customer_search_terms_customer', table_name='customer_search_terms')
    op.create_index('ix_customer_search_terms_customer', 'customer_search_terms', ['customer_id'])
    op.drop_index('ix_sales_payment_created', table_name='sales')
    op.drop_index('ix_sales_card', table_name='sales')
    op.create_index('ix_sales_card', 'sales', ['card_brand', 'card_last4'])
    op.create_index('ix_sale_items_name', 'sale_items', ['name_key', 'sale_id'])
    op.drop_table('customer_purchases')
    op.drop_table('item_names')
