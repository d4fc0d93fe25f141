"""Finding customers: the one query behind the directory, the loyalty list,
the sale screen's customer search and the export.

A term matches only the fields the employee may view in full (names always;
email and phone per permissions.searchable_fields), accent- and case-free,
through the search index: each word of the term starts a word of the field.
A field the employee may not view in full is matched by its complete value
only (permissions.complete_lookups: the full-value lookup rule).

Filters (Square's directory filters) never touch a contact field, so they
reveal nothing an employee may not view: group, sales (location visited, item
purchased, payment method, card brand and last four), a period, points,
origin, email and SMS marketing consent, birthday month and "À vérifier" (an import's
flag). Everything a list shows travels in the URL
(CustomerQuery.to_args/from_args), so reload, back/forward and a shared link
give the same list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, extract, func, or_, select

from core.guards import parse_id, parse_page
from models import Customer, CustomerPurchase, Phone, Sale, customer_groups
from models.customers import ORIGINS
from models.sales import CARD_BRANDS, PAYMENT_METHODS
from core.permissions import complete_lookups, field_level, searchable_fields
from core.phones import normalise
from core.textkeys import fold

SORTS = {
    "name": (Customer.sort_name, Customer.id),
    "-name": (Customer.sort_name.desc(), Customer.id.desc()),
    "last_visit": (Customer.last_visit_at, Customer.id),
    "-last_visit": (Customer.last_visit_at.desc(), Customer.id.desc()),
    "points": (Customer.points_balance, Customer.id),
    "-points": (Customer.points_balance.desc(), Customer.id.desc()),
    "spent": (Customer.total_spent_cents, Customer.id),
    "-spent": (Customer.total_spent_cents.desc(), Customer.id.desc()),
}

PERIOD_FIELDS = ("last_visit", "first_visit")
CONSENT_VALUES = ("yes", "no", "unknown")
# Filters that look at the customer's sales; with one of them the period
# applies to those sales, otherwise to the first or last visit.
SALE_FILTERS = ("location", "item", "payment", "card_brand", "card_last4")
FILTER_KEYS = ("group", "location", "item", "payment", "card_brand", "card_last4",
               "period_from", "period_to", "period_on", "points_min", "points_max",
               "origin", "email_consent", "sms_consent", "birthday_month", "review")
POINTS_LIMIT = 10**9


def _positive_int(value) -> str | None:
    number = parse_id(value)
    return str(number) if number is not None else None


def _points(value) -> str | None:
    value = (value or "").strip()
    try:
        number = int(value)
    except ValueError:
        return None
    return str(number) if abs(number) < POINTS_LIMIT else None


def _iso_date(value) -> str | None:
    try:
        return date.fromisoformat((value or "").strip()).isoformat()
    except ValueError:
        return None


def _choice(choices):
    def parse(value):
        value = (value or "").strip()
        return value if value in choices else None
    return parse


def _item(value) -> str | None:
    value = " ".join((value or "").split())[:120]
    return value if fold(value) else None


def _last4(value) -> str | None:
    value = (value or "").strip()
    return value if len(value) == 4 and value.isdigit() else None


_PARSERS = {
    "group": _positive_int, "location": _positive_int, "item": _item,
    "payment": _choice(PAYMENT_METHODS), "card_brand": _choice(CARD_BRANDS), "card_last4": _last4,
    "period_from": _iso_date, "period_to": _iso_date, "period_on": _choice(PERIOD_FIELDS),
    "points_min": _points, "points_max": _points,
    "origin": _choice(ORIGINS), "email_consent": _choice(CONSENT_VALUES), "sms_consent": _choice(CONSENT_VALUES),
    "birthday_month": _choice(tuple(str(month) for month in range(1, 13))),
    # "À vérifier": customers an import flagged (a value it could not read).
    "review": _choice(("1",)),
}


def parse_filters(args) -> dict:
    """The valid filters among request arguments, as canonical strings
    (anything malformed is dropped rather than refused: it is a search)."""
    filters = {}
    for key in FILTER_KEYS:
        value = _PARSERS[key](args.get(key))
        if value is not None:
            filters[key] = value
    if filters.get("period_on") == "last_visit" or not (
            "period_from" in filters or "period_to" in filters):
        filters.pop("period_on", None)  # the default, or meaningless without a period
    return filters


@dataclass
class CustomerQuery:
    """What a list asks for; it round-trips through the URL (to_args/from_args)."""
    q: str = ""
    archived: bool = False
    sort: str = "name"
    page: int = 1
    filters: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> "CustomerQuery":
        page = parse_page(args.get("page"))
        sort = args.get("sort", "name")
        return cls(q=(args.get("q") or "").strip()[:100],
                   archived=args.get("archived") in ("1", "on", "true"),
                   sort=sort if sort in SORTS else "name", page=min(page, 10**6),
                   filters=parse_filters(args))

    def to_args(self, **overrides) -> dict:
        args = {"q": self.q or None, "archived": "1" if self.archived else None,
                "sort": self.sort if self.sort != "name" else None,
                "page": self.page if self.page > 1 else None, **self.filters}
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "", [])}

    # --- reading the filters -------------------------------------------

    def get(self, key: str, default=None):
        return self.filters.get(key, default)

    def date(self, key: str) -> date | None:
        return date.fromisoformat(self.filters[key]) if key in self.filters else None

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    @property
    def filter_count(self) -> int:
        """How many filters are on (a period or a points range counts once)."""
        keys = set(self.filters) - {"period_on"}
        for pair in (("period_from", "period_to"), ("points_min", "points_max")):
            if set(pair) <= keys:
                keys.discard(pair[1])
        return len(keys)

    @property
    def has_sale_filters(self) -> bool:
        return any(key in self.filters for key in SALE_FILTERS)


def term_condition(employee, term: str, phone_region: str = "FR", broad: bool = False):
    """SQL condition for a search term over the fields this employee may view
    (None when the term is empty, or a digit or two: the list stays shown
    until a phone number can be told).

    Through the search documents (core/search_index.py): every word must be in the
    same field's document, anywhere when it has three characters or more
    ("pont" finds Dupont, "elod" Élodie, "gmail" an address there, "0612",
    "+33 6 12" or the last four digits a number), at the start of a word
    when shorter ("marie d"). A term of one or two characters is the start
    of the sorted name, read from its index (ix_customers_list_name).

    On SQLite, unless `broad`, FTS5 gathers the candidates first (the LIKE
    then only checks them); `broad`: the LIKE alone, for walking the sorted
    list. PostgreSQL's planner answers the LIKE from the GIN trigram indexes
    or walks the list by itself."""
    from core.search_index import field_condition, fts_matches, fts_query, name_prefix

    term = term.strip()
    folded = fold(term)
    words = folded.split()
    if not words or _few_digits(term):
        return None
    allowed = searchable_fields(employee)
    if len(words) == 1 and len(words[0]) < 3 and "name" in allowed:
        return name_prefix(words[0])
    fields: dict[str, list[str]] = {}
    digits = phone_fragment(term, phone_region)
    if digits:
        # Digits without a letter are a number: its parts ("06", "12") are
        # no name to look for, and could not be looked up by trigram.
        if "phone" in allowed:
            fields["phone"] = [digits]
    else:
        if "name" in allowed:
            fields["name"] = words
        if "email" in allowed and ("@" in term or "." in term or len(folded) >= 3):
            fields["email"] = words
    branches = []
    for name, field_words in fields.items():
        branch = field_condition(name, field_words)
        if name != "name" and field_level(employee, name) != "edit":
            # A marketing-only customer's contact details are masked for a
            # set that may view but not edit them (permissions.field_level):
            # a term must not find them through those values either.
            branch = and_(branch, or_(Customer.origin != "marketing", Customer.visit_count > 0))
        branches.append(branch)
    if branches and _is_sqlite() and not broad:
        query = fts_query(fields)
        if query is not None:  # else a branch without a trigram: only walking finds it
            branches = [and_(fts_matches(query), or_(*branches))]
    # The full-value lookup rule (permissions.complete_lookups): a field the
    # employee may not view in full is matched by its complete value, exactly.
    for name, key in complete_lookups(employee, term, phone_region).items():
        exact = (select(Customer.id).where(Customer.email_key == key) if name == "email" else
                 select(Phone.customer_id).where(Phone.e164 == key, Phone.linked.is_(True)))
        branches.append(Customer.id.in_(exact))
    if not branches:
        return Customer.id.is_(None)  # nothing this employee may search matches
    return or_(*branches)


def _few_digits(term: str) -> bool:
    """A digit or two (and phone punctuation): too short for any number."""
    return bool(_PHONE_LIKE.fullmatch(term)) and sum(ch.isdigit() for ch in term) < 3


_PHONE_LIKE = re.compile(r"[+\d\s().-]+")


def phone_fragment(term: str, region: str = "FR") -> str | None:
    """The digits to find in the phone documents when a term looks like (a
    part of) a number: a whole number in any format gives its international
    digits ("06 12 34 56 78" -> "33612345678"); "+33 6 12" and "0033 6 12"
    their start; otherwise the digits as typed, which the national form
    holds with its "0" ("06 12" -> "0612") and any part matches ("56 78")."""
    stripped = term.strip()
    digit_count = sum(ch.isdigit() for ch in stripped)
    if digit_count < 3 or any(ch.isalpha() for ch in stripped):
        return None
    # Only a term long enough to be a whole number is normalised: a short part
    # such as "55 12 98" would otherwise "succeed" in an overseas region.
    full = normalise(stripped, region) if digit_count >= 9 else None
    if full:
        return full.lstrip("+")
    only_digits = "".join(ch for ch in stripped if ch.isdigit())
    if stripped.startswith("00"):
        return only_digits[2:] or None
    return only_digits


def _utc_bounds(filters: dict) -> tuple[datetime | None, datetime | None]:
    """The period as naive UTC datetimes: from the start of the first day to
    the end of the last one, in the shop's time zone."""
    def to_utc(day: date) -> datetime:
        moment = datetime.combine(day, time.min)
        try:
            from flask_babel import to_utc as babel_to_utc
            return babel_to_utc(moment)
        except (RuntimeError, KeyError, AttributeError):  # no app context: take it as UTC
            return moment
    start = end = None
    if "period_from" in filters:
        start = to_utc(date.fromisoformat(filters["period_from"]))
    if "period_to" in filters:
        end = to_utc(date.fromisoformat(filters["period_to"]) + timedelta(days=1))
    return start, end


def _is_sqlite() -> bool:
    from extensions import db
    return db.session.get_bind().dialect.name == "sqlite"


def sale_matches(query: CustomerQuery, per_customer: bool = False):
    """The customer ids of the sales matching every sale filter at once (one
    sale must: "bought a croissant at Centre, by card, in May"), and the
    column holding them. With an item, from the purchase index: a typed start
    becomes the whole item names it begins, each one B-tree range on
    (name, date); voided sales are not in that index.

    `per_customer`: the select will be asked for one customer at a time
    (EXISTS). SQLite, without statistics, would then read a location's,
    a payment method's or a card's index (up to a third of all sales) rather
    than the customer's own sales; those columns are hidden from its planner."""
    from core.purchase_index import item_keys
    filters = query.filters

    def sale_column(column):
        if not (per_customer and _is_sqlite()):
            return column
        return column + 0 if column is Sale.location_id else column.concat("")  # "x + 0", "x || ''": no index

    if "item" in filters:
        purchase = CustomerPurchase
        customer_id, moment = purchase.customer_id, purchase.sold_at
        stmt = select(customer_id).where(purchase.name_key.in_(item_keys(fold(filters["item"]))))
        if any(key in filters for key in SALE_FILTERS if key != "item"):
            stmt = stmt.join(Sale, Sale.id == purchase.sale_id)
    else:
        customer_id, moment = Sale.customer_id, Sale.created_at
        stmt = select(customer_id).where(customer_id.is_not(None), Sale.status != "voided")
    if "location" in filters:
        stmt = stmt.where(sale_column(Sale.location_id) == int(filters["location"]))
    if "payment" in filters:
        stmt = stmt.where(sale_column(Sale.payment_method) == filters["payment"])
    if "card_brand" in filters:
        stmt = stmt.where(sale_column(Sale.card_brand) == filters["card_brand"])
    if "card_last4" in filters:
        stmt = stmt.where(sale_column(Sale.card_last4) == filters["card_last4"])
    start, end = _utc_bounds(filters)
    if start is not None:
        stmt = stmt.where(moment >= start)
    if end is not None:
        stmt = stmt.where(moment < end)
    return stmt, customer_id


def filter_conditions(query: CustomerQuery, sales: str | None = "in") -> list:
    """SQL conditions for the query's filters (none reads a contact field).

    The sale filters become `sales`: "in" (Customer.id IN the matching
    sales: quick when few customers match), "exists" (a probe per customer,
    one index seek each: quick when walking a long list in order, stopping at
    its page), or None (left out: customer_page counts them its own way)."""
    filters = query.filters
    conditions = []
    if "group" in filters:
        conditions.append(Customer.id.in_(
            select(customer_groups.c.customer_id).where(customer_groups.c.group_id == int(filters["group"]))))
    if query.has_sale_filters:
        if sales is not None:
            matches, customer_id = sale_matches(query, per_customer=sales == "exists")
            conditions.append(matches.where(customer_id == Customer.id).exists() if sales == "exists"
                              else Customer.id.in_(matches))
    else:
        start, end = _utc_bounds(filters)
        column = Customer.first_visit_at if filters.get("period_on") == "first_visit" else Customer.last_visit_at
        if start is not None:
            conditions.append(column >= start)
        if end is not None:
            conditions.append(column < end)
    if "points_min" in filters:
        conditions.append(Customer.points_balance >= int(filters["points_min"]))
    if "points_max" in filters:
        conditions.append(Customer.points_balance <= int(filters["points_max"]))
    if "origin" in filters:
        conditions.append(Customer.origin == filters["origin"])
    # Consent to email / SMS marketing (consent.py): "yes" is the only state
    # that lets a list be used to contact people.
    from blueprints.customers.consent import condition as consent_condition
    for key, purpose in (("email_consent", "email_marketing"), ("sms_consent", "sms_marketing")):
        if key in filters:
            conditions.append(consent_condition(purpose, filters[key]))
    if "birthday_month" in filters:
        # A full date or a year-less one (core/birthdays.py).
        month = int(filters["birthday_month"])
        conditions.append(or_(extract("month", Customer.birthday) == month, Customer.birthday_month == month))
    if "review" in filters:
        conditions.append(Customer.needs_review.is_(True))
    return conditions


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
    if scan and not broad and _is_sqlite():
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
                  count_limit: int | None = None, options=()):
    """One page of the list and its count. With count_limit the count stops
    there (a broad search over a million customers), and a query found broad
    reads its page from the sorted index."""
    from core.pagination import Page, capped_count, page_number, paginate
    if not count_limit:
        return paginate(customer_select(employee, query, phone_region).options(*options), query.page, per_page)
    # Broad: walk the list in order, each customer checked, until the page
    # is full. Narrow: gather the matches, then sort them. A search term is
    # counted and gathered through the trigram index, after a look at the
    # top of the list (_page_from_the_top); only a term with nothing to look
    # up by trigram (a name start of one or two characters) walks.
    walking = bool(query.q) and _needs_walking(query.q)
    if query.has_sale_filters:
        found, broad = _count_with_sales(employee, query, phone_region, count_limit)
        total, capped = min(found, count_limit), found > count_limit
    else:
        total, capped = capped_count(customer_select(employee, query, phone_region, broad=walking)
                                     .with_only_columns(Customer.id), count_limit)
        broad = capped
    if query.q:
        broad = walking
    page = page_number(query.page, total, per_page, capped)
    items = None
    # Only a term matching more than the count limit may fill its page there.
    # SQLite only: PostgreSQL's planner, with its statistics, chooses between
    # the GIN index and the sorted list itself (and joined the window badly).
    if query.q and page == 1 and capped and not query.has_sale_filters and _is_sqlite():
        items = _page_from_the_top(employee, query, phone_region, per_page, options)
    if items is None:
        stmt = customer_select(employee, query, phone_region, broad=broad, sales="exists" if broad else "in")
        items = _in_order(stmt.with_only_columns(Customer.id).limit(per_page).offset((page - 1) * per_page),
                          options)
    return Page(items=items, total=total, page=page, per_page=per_page, total_is_capped=capped)


# Customers read from the top of the sorted list before a search gathers
# its matches instead (_page_from_the_top).
TOP_WINDOW = 3_000


def _page_from_the_top(employee, query: CustomerQuery, phone_region: str, per_page: int, options) -> list | None:
    """The first page of a search, looked for among the first TOP_WINDOW
    customers of the list in its order (read from the sorted index alone),
    the term checked on those only. A term that many customers match
    ("marie": one in forty, spread over the alphabet) fills its page there
    in a few milliseconds, where gathering and sorting its 23,000 matches
    takes a hundred; one that does not (a surname, clustered at its letter)
    returns None and is gathered. The first page of those customers is the
    first page of all: the window is the list's own start."""
    from dataclasses import replace

    window = (customer_select(employee, replace(query, q="", page=1), phone_region, broad=True)
              .with_only_columns(Customer.id).limit(TOP_WINDOW).subquery())
    stmt = (select(Customer.id).select_from(window).join(Customer, Customer.id == window.c.id)
            .where(term_condition(employee, query.q, phone_region, broad=True))
            .order_by(*SORTS.get(query.sort, SORTS["name"])).limit(per_page))
    items = _in_order(stmt, options)
    return items if len(items) == per_page else None


def _in_order(ids_select, options) -> list:
    """The customers of a select of ids, in its order. Sorting ids alone,
    then reading the page's fifty rows, spares the database a sort of whole
    rows: gathering 20,000 matches costs half as much."""
    from extensions import db
    ids = list(db.session.scalars(ids_select))
    if not ids:
        return []
    found = {customer.id: customer for customer in
             db.session.scalars(select(Customer).where(Customer.id.in_(ids)).options(*options))}
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
