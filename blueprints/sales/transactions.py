"""The transactions list: what it asks for (round-tripping through the URL),
the select behind it and its keyset paging, so that a page is as fast at ten
million sales as at ten (ordered by ix_sales_created, never counted); and what
the page shows beside the sales (their invoices, the filters' choices)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import to_utc
from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import selectinload

from blueprints.customers.search_terms import term_condition
from extensions import db
from core.guards import parse_id
from models import Customer, Invoice, Location, Sale, ShopSettings
from models.sales import CARD_BRANDS, SALE_STATUSES
from blueprints.sales.recording import PAYMENTS


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _int(text) -> int | None:
    return parse_id(text)


def _cursor(text: str | None) -> tuple[datetime, int] | None:
    """"<created_at iso>_<id>" -> (created_at, id)."""
    stamp, _sep, ident = (text or "").rpartition("_")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (moment, parse_id(ident)) if parse_id(ident) is not None else None


def cursor_of(sale: Sale) -> str:
    return f"{sale.created_at.isoformat()}_{sale.id}"


@dataclass
class TransactionQuery:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    location_id: int | None = None
    payment: str = ""
    status: str = ""
    customer_id: int | None = None
    before: str = ""
    after: str = ""

    @classmethod
    def from_args(cls, args) -> "TransactionQuery":
        payment = args.get("payment", "")
        status = args.get("status", "")
        return cls(q=(args.get("q") or "").strip()[:100],
                   date_from=_date(args.get("from")), date_to=_date(args.get("to")),
                   location_id=_int(args.get("location")),
                   payment=payment if payment in PAYMENTS else "",
                   status=status if status in SALE_STATUSES else "",
                   customer_id=_int(args.get("customer_id")),
                   before=args.get("before", "") if _cursor(args.get("before")) else "",
                   after=args.get("after", "") if _cursor(args.get("after")) else "")

    def to_args(self, **overrides) -> dict:
        args = {"q": self.q, "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "location": self.location_id, "payment": self.payment, "status": self.status,
                "customer_id": self.customer_id, "before": self.before, "after": self.after}
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "")}

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.date_from or self.date_to or self.location_id or self.payment
                    or self.status or self.customer_id)


CUSTOMER_MATCHES = 200


def _search_condition(employee, term: str, region: str):
    """A term finds a sale by its number (#12), its invoice (F-2026-000012), the
    card's last four digits, or its customer (name, and email or phone only
    where the employee may view them: the directory's one rule)."""
    conditions = []
    if term.startswith("#") and term[1:].isdigit():
        return Sale.id == int(term[1:])
    if term.upper().startswith("F-"):
        return Sale.id.in_(select(Invoice.sale_id).where(Invoice.number == term.upper()))
    if len(term) == 4 and term.isdigit():
        # The brand list as an IN keeps ix_sales_card (brand, last4) usable.
        conditions.append(Sale.card_brand.in_(CARD_BRANDS) & (Sale.card_last4 == term))
    from core.permissions import can
    if can(employee, "customers.basic"):
        condition = term_condition(employee, term, region)
        if condition is not None:
            # The matching customers first, then their sales by ix_sales_customer:
            # a semi-join would have the planner scan the sales instead.
            ids = list(db.session.scalars(select(Customer.id).where(condition, Customer.anonymised.is_(False))
                                          .limit(CUSTOMER_MATCHES)))
            if ids:
                conditions.append(Sale.customer_id.in_(ids))
    return or_(*conditions) if conditions else Sale.id.is_(None)


def transaction_select(employee, query: TransactionQuery, region: str = "FR") -> Select:
    stmt = select(Sale)
    if query.date_from:
        stmt = stmt.where(Sale.created_at >= to_utc(datetime.combine(query.date_from, datetime.min.time())))
    if query.date_to:
        stmt = stmt.where(Sale.created_at < to_utc(datetime.combine(query.date_to + timedelta(days=1),
                                                                   datetime.min.time())))
    if query.location_id:
        stmt = stmt.where(Sale.location_id == query.location_id)
    if query.payment:
        stmt = stmt.where(Sale.payment_method == query.payment)
    if query.status:
        stmt = stmt.where(Sale.status == query.status)
    if query.customer_id:
        stmt = stmt.where(Sale.customer_id == query.customer_id)
    if query.q:
        stmt = stmt.where(_search_condition(employee, query.q, region))
    return stmt


@dataclass
class KeysetPage:
    items: list
    older: str | None  # cursor for the next (older) page
    newer: str | None  # cursor for the previous (newer) page


def keyset_page(stmt: Select, query: TransactionQuery, per_page: int) -> KeysetPage:
    key = tuple_(Sale.created_at, Sale.id)
    options = (selectinload(Sale.location), selectinload(Sale.employee), selectinload(Sale.customer))
    after = _cursor(query.after)
    before = _cursor(query.before)
    if after:
        rows = list(db.session.scalars(stmt.where(key > tuple_(*after)).options(*options)
                                       .order_by(Sale.created_at, Sale.id).limit(per_page + 1)))
        more_newer = len(rows) > per_page
        items = list(reversed(rows[:per_page]))
        return KeysetPage(items, older=cursor_of(items[-1]) if items else None,
                          newer=cursor_of(items[0]) if items and more_newer else None)
    if before:
        stmt = stmt.where(key < tuple_(*before))
    rows = list(db.session.scalars(stmt.options(*options).order_by(Sale.created_at.desc(), Sale.id.desc())
                                   .limit(per_page + 1)))
    items = rows[:per_page]
    return KeysetPage(items, older=cursor_of(items[-1]) if len(rows) > per_page else None,
                      newer=cursor_of(items[0]) if before and items else None)


def invoices_by_sale(sale_ids: list[int]) -> dict[int, Invoice]:
    if not sale_ids:
        return {}
    return {inv.sale_id: inv for inv in db.session.scalars(select(Invoice).where(Invoice.sale_id.in_(sale_ids)))}


@dataclass
class TransactionList:
    """What the list's page shows besides the query."""
    page: KeysetPage
    invoices: dict[int, Invoice]
    locations: list[Location]  # every location, active or not, for the filter
    filter_customer: Customer | None


def transaction_list(employee, query: TransactionQuery, per_page: int) -> TransactionList:
    page = keyset_page(transaction_select(employee, query, ShopSettings.get().phone_region), query, per_page)
    invoices = invoices_by_sale([sale.id for sale in page.items])
    filter_customer = db.session.get(Customer, query.customer_id) if query.customer_id else None
    locations = list(db.session.scalars(select(Location).order_by(Location.name)))
    return TransactionList(page, invoices, locations, filter_customer)
