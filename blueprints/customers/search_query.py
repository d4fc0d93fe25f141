"""What a customer list asks for: the term, the filters, the sort and the
page, as one CustomerQuery that round-trips through the URL (to_args /
from_args), so reload, back/forward and a shared link give the same list.

The filters (Square's directory filters): group, sales (location visited,
item purchased, payment method, card brand and last four), a period, points,
origin, email and SMS marketing consent, birthday month and "À vérifier" (an
import's flag). Here they are read from the URL, anything malformed dropped;
search_filters.py turns them into SQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.guards import parse_id, parse_page
from core.textkeys import fold
from models import Customer
from models.customers import ORIGINS
from models.sales import CARD_BRANDS, PAYMENT_METHODS

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
