"""Finding customers: the one query behind the directory, the loyalty list,
the sale screen's customer search and the export.

A term matches only the fields the employee may view in full (names always;
email and phone per permissions.searchable_fields), accent- and case-free on a
stored key, and parts of words match.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, and_, exists, or_, select

from models import Customer, Phone
from permissions import searchable_fields
from phones import search_digits
from textkeys import fold

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
        try:
            page = max(1, int(args.get("page", 1)))
        except ValueError:
            page = 1
        sort = args.get("sort", "name")
        return cls(q=(args.get("q") or "").strip()[:100],
                   archived=args.get("archived") in ("1", "on", "true"),
                   sort=sort if sort in SORTS else "name", page=page)

    def to_args(self, **overrides) -> dict:
        args = {"q": self.q or None, "archived": "1" if self.archived else None,
                "sort": self.sort if self.sort != "name" else None,
                "page": self.page if self.page > 1 else None, **self.filters}
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "", [])}


def term_condition(employee, term: str, phone_region: str = "FR"):
    """SQL condition for a search term over the fields this employee may view,
    or None when the term is empty."""
    term = term.strip()
    if not term:
        return None
    allowed = searchable_fields(employee)
    conditions = []
    folded = fold(term)
    if folded and "name" in allowed:
        # Every word of the term must appear in the name ("elo dup" finds Élodie Dupont).
        conditions.append(and_(*[Customer.name_search.contains(word, autoescape=True)
                                 for word in folded.split()]))
    if folded and "email" in allowed and ("@" in term or "." in term or len(folded) >= 3):
        conditions.append(Customer.email_search.contains(folded, autoescape=True))
    if "phone" in allowed:
        digits = search_digits(term, phone_region)
        if digits:
            conditions.append(exists().where(Phone.customer_id == Customer.id, Phone.linked.is_(True),
                                             Phone.digits.contains(digits, autoescape=True)))
    if not conditions:
        return Customer.id.is_(None)  # nothing this employee may search matches
    return or_(*conditions)


def customer_select(employee, query: CustomerQuery, phone_region: str = "FR") -> Select:
    """The filtered, sorted select of customers (without paging)."""
    stmt = select(Customer).where(Customer.anonymised.is_(False))
    if not query.archived:
        stmt = stmt.where(Customer.archived.is_(False))
    condition = term_condition(employee, query.q, phone_region)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.order_by(*SORTS.get(query.sort, SORTS["name"]))
