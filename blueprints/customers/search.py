"""Finding customers: the one select behind the directory, the sale screen's
customer search, the merge page and the export (customer_select), and one
page of it with its capped count (customer_page), read in the order that is
cheapest for that query.

What a list asks for is a CustomerQuery (search_query.py); its term becomes a
condition in search_terms.py (which the loyalty list and the transactions
use alone), its filters in search_filters.py.
"""
from __future__ import annotations

from sqlalchemy import Select, func, select

from blueprints.customers.search_filters import filter_conditions, sale_matches
from blueprints.customers.search_query import SORTS, CustomerQuery
from blueprints.customers.search_terms import is_sqlite, phone_fragment, term_condition
from core.textkeys import fold
from models import Customer


# Filters whose column has an index of its own that starts with `archived`
# (models.customers: ix_customers_list_*): the list may be read in index order.
_INDEXED_FILTERS = {"points_min", "points_max", "period_from", "period_to", "period_on"}


def _not_archived(query: CustomerQuery, has_term: bool, broad: bool):
    """`archived = false`. A deleted (anonymised) customer is always archived
    (deletion requires it), so this alone also leaves them out, and the count
    of the plain list reads only the (archived, …) index.

    On SQLite the planner must be steered. A narrow search or a filter on an
    unindexed column is fastest from its matches (the archived column hidden
    from the planner, else it walks the index and fetches a million rows one
    by one: 1.4 s); a broad one (a first letter typed) from the sorted index,
    stopping at the first page (0.3 s against 0.03 s at 1M customers). Sale
    filters found narrow by customer_page likewise start from their matches
    (196 customers who paid with a card ending 3236: 4 ms, against 46 ms
    walking the sorted index)."""
    scan = (has_term and not broad) or any(
        key not in _INDEXED_FILTERS and key != "group" for key in query.filters)
    if scan and not broad and is_sqlite():
        return func.coalesce(Customer.archived, False).is_(False)
    return Customer.archived.is_(False)


def customer_select(employee, query: CustomerQuery, phone_region: str = "FR", broad: bool = False,
                    sales: str | None = "in") -> Select:
    """The filtered, sorted select of customers (without paging). `broad`:
    the query is known to match many customers (see customer_page); `sales`:
    how the sale filters are asked (filter_conditions)."""
    condition = term_condition(employee, query.q, phone_region, broad)
    if query.archived:
        stmt = select(Customer).where(Customer.anonymised.is_(False))
    else:
        stmt = select(Customer).where(_not_archived(query, condition is not None, broad))
    if condition is not None:
        stmt = stmt.where(condition)
    for condition in filter_conditions(query, sales):
        stmt = stmt.where(condition)
    return stmt.order_by(*SORTS.get(query.sort, SORTS["name"]))


def customer_page(employee, query: CustomerQuery, phone_region: str, per_page: int,
                  count_limit: int | None = None, load=None):
    """One page of the list and its count. With count_limit the count stops
    there (a broad search over a million customers), and a query found broad
    reads its page from the sorted index. The page's ids are chosen here;
    `load` reads their customers in that order (the directory's light
    records, light_rows.page_records), by default as Customers."""
    from core.pagination import Page, capped_count, page_number, paginate
    load = load or customers_in_order
    if not count_limit:
        page = paginate(customer_select(employee, query, phone_region).with_only_columns(Customer.id),
                        query.page, per_page)
        page.items = load(page.items)
        return page
    # Broad: walk the list in order, each customer checked, until the page
    # is full. Narrow: gather the matches, then sort them. A search term is
    # counted and gathered through the trigram index, after a look at the
    # top of the list (_page_from_the_top); only a term with nothing to look
    # up by trigram (a name start of one or two characters) walks.
    walking = bool(query.q) and _needs_walking(query.q)
    counted = None
    if query.has_sale_filters:
        found, broad = _count_with_sales(employee, query, phone_region, count_limit)
        total, capped = min(found, count_limit), found > count_limit
    else:
        counted = customer_select(employee, query, phone_region, broad=walking).with_only_columns(Customer.id)
        total, capped = capped_count(counted, count_limit)
        broad = capped
    if query.q:
        broad = walking
    page = page_number(query.page, total, per_page, capped)
    ids = None
    # Only a term matching more than the count limit may fill its page there.
    # SQLite only: PostgreSQL's planner, with its statistics, chooses between
    # the GIN index and the sorted list itself (and joined the window badly).
    if query.q and page == 1 and capped and not query.has_sale_filters and is_sqlite():
        ids = _page_from_the_top(employee, query, phone_region, per_page)
    if ids is None:
        # Without sale filters, `sales` changes nothing: the same road is the counted select.
        stmt = counted if counted is not None and broad == walking else customer_select(
            employee, query, phone_region, broad=broad, sales="exists" if broad else "in").with_only_columns(Customer.id)
        ids = _ids(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(items=load(ids), total=total, page=page, per_page=per_page, total_is_capped=capped)


# Customers read from the top of the sorted list before a search gathers
# its matches instead (_page_from_the_top).
TOP_WINDOW = 3_000


def _page_from_the_top(employee, query: CustomerQuery, phone_region: str, per_page: int) -> list[int] | None:
    """The ids of the first page of a search, looked for among the first
    TOP_WINDOW customers of the list in its order (read from the sorted
    index alone), the term checked on those only. A term that many
    customers match ("marie": one in forty, spread over the alphabet) fills
    its page there in a few milliseconds, where gathering and sorting its
    23,000 matches takes a hundred; one that does not (a surname, clustered
    at its letter) returns None and is gathered. The first page of those
    customers is the first page of all: the window is the list's own start."""
    from dataclasses import replace

    window = (customer_select(employee, replace(query, q="", page=1), phone_region, broad=True)
              .with_only_columns(Customer.id).limit(TOP_WINDOW).subquery())
    stmt = (select(Customer.id).select_from(window).join(Customer, Customer.id == window.c.id)
            .where(term_condition(employee, query.q, phone_region, broad=True))
            .order_by(*SORTS.get(query.sort, SORTS["name"])).limit(per_page))
    ids = _ids(stmt)
    return ids if len(ids) == per_page else None


def _ids(ids_select) -> list[int]:
    """The page's ids in their order. Sorting ids alone, then reading the
    page's fifty rows (`load`), spares the database a sort of whole rows:
    gathering 20,000 matches costs half as much."""
    from extensions import db
    return list(db.session.scalars(ids_select))


def customers_in_order(ids: list[int]) -> list[Customer]:
    """The Customers of these ids, in that order (one deleted meanwhile is left out)."""
    from extensions import db
    if not ids:
        return []
    found = {customer.id: customer for customer in db.session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    return [found[customer_id] for customer_id in ids if customer_id in found]


def _needs_walking(term: str) -> bool:
    """The term has nothing the trigram index can gather (a name start of
    one or two characters, or only short words): counting walks too."""
    return phone_fragment(term) is None and all(len(word) < 3 for word in fold(term).split())


def _count_with_sales(employee, query: CustomerQuery, phone_region: str, count_limit: int) -> tuple[int, bool]:
    """How many customers match (counting may stop past count_limit), and
    whether they are broad: too many to gather and sort rather than walking
    the sorted list.

    The matching sales are read in their index order, each one's customer
    checked against the other conditions by its id, and the reading stops
    after SALES_SAMPLE sales. Fewer than that: every match was seen, and a
    few thousand customers are gathered and sorted in milliseconds (walking
    a list to its sparse matches took PostgreSQL 150 ms). As many: the
    matches are broad, and the sample's customers say whether the count is
    capped; only a few customers with many sales each need a longer reading.
    "Customer.id IN (sales)", or a DISTINCT over all of them, would read and
    sort every matching sale: 256,000 for a croissant over two months at ten
    million sales."""
    from extensions import db
    matches = sale_matches(query)[0].subquery()
    customer = (customer_select(employee, query, phone_region, sales=None).order_by(None)
                .where(Customer.id == matches.c.customer_id))
    read = select(matches.c.customer_id).where(customer.exists())
    sample = read.limit(SALES_SAMPLE).subquery()
    sales, customers = db.session.execute(
        select(func.count(), func.count(sample.c.customer_id.distinct())).select_from(sample)).one()
    if sales < SALES_SAMPLE:
        return customers, False
    if customers <= count_limit:
        counted = read.distinct().limit(count_limit + 1)
        customers = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    return customers, True


# Matching sales read at first to count the customers (_count_with_sales).
SALES_SAMPLE = 5_000
