"""The purchase index (customer_purchases, item_names): who bought which item
when, for the directory's "item purchased" filter.

Reading sale_items for that filter joins millions of rows at ten million
sales (1.4 s); this index answers it from one B-tree range per item name.
Rows are derived from sales and sale_items alone, so rebuild() can always
recreate them. The sales service keeps them as sales change:
index_sales() when a sale is recorded, forget_sale() when it is voided
(a voided sale never happened), move_customers() when customers are merged.
Refunded sales stay: the customer did buy the item.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select, update

from models import CustomerPurchase, ItemName, Sale, SaleItem

# The upper bound of a prefix range: every folded key is ASCII below it.
_AFTER = "\x7f"
_CHUNK = 500


def _purchases_of(sale_condition):
    return (select(Sale.customer_id, SaleItem.name_key, Sale.created_at, Sale.id)
            .join(SaleItem, SaleItem.sale_id == Sale.id)
            .where(sale_condition, Sale.customer_id.is_not(None), Sale.status != "voided",
                   SaleItem.name_key != ""))


def _names_of(item_condition):
    return (select(SaleItem.name_key, func.min(SaleItem.name))
            .where(item_condition, SaleItem.name_key != "").group_by(SaleItem.name_key))


def _insert_missing(connection, model, columns, rows_select) -> None:
    """INSERT … SELECT that skips rows already there (a name already known, an
    item on two lines of one sale); both dialects say it their own way."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    connection.execute(dialect_insert(model).from_select(columns, rows_select).on_conflict_do_nothing())


def _insert(connection, sale_condition, item_condition, in_key_order=False) -> None:
    _insert_missing(connection, ItemName, ["name_key", "name"], _names_of(item_condition))
    purchases = _purchases_of(sale_condition)
    if in_key_order:  # millions of rows: appended in key order, not scattered through the B-tree
        purchases = purchases.order_by(Sale.customer_id, SaleItem.name_key, Sale.created_at, Sale.id)
    _insert_missing(connection, CustomerPurchase, ["customer_id", "name_key", "sold_at", "sale_id"], purchases)


def index_sales(connection, sale_ids) -> None:
    """Add these (new) sales' items to the index."""
    ids = sorted(set(sale_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        _insert(connection, Sale.id.in_(chunk), SaleItem.sale_id.in_(chunk))


def forget_sale(connection, sale_id: int) -> None:
    connection.execute(delete(CustomerPurchase).where(CustomerPurchase.sale_id == sale_id))


def move_customers(connection, from_ids, to_id: int) -> None:
    """A merge: the secondaries' purchases become the primary's."""
    connection.execute(update(CustomerPurchase).where(CustomerPurchase.customer_id.in_(list(from_ids)))
                       .values(customer_id=to_id).execution_options(synchronize_session=False))


def rebuild(connection) -> None:
    """The whole index again from the sales (the demo loader, the migration,
    `flask reindex-purchases`)."""
    connection.execute(delete(CustomerPurchase))
    _insert(connection, Sale.id.is_not(None), SaleItem.name_key != "", in_key_order=True)


def item_keys(key: str):
    """The whole item names that start with a folded key: a select for IN (…)."""
    key = key[:120]
    return select(ItemName.name_key).where(ItemName.name_key >= key, ItemName.name_key < key + _AFTER)


def suggestions(start: str, limit: int = 12) -> list[str]:
    """Item names for the filter's list, those starting with `start` first."""
    from extensions import db
    from core.textkeys import fold
    key = fold(start)
    stmt = select(ItemName.name).order_by(ItemName.name_key).limit(limit)
    if key:
        stmt = stmt.where(ItemName.name_key.in_(item_keys(key)))
    return list(db.session.scalars(stmt))
