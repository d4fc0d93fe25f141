"""The members list (seed 003): every enrolled customer, zero points too,
searched, filtered by group, sorted by points and paged; and one member for
their panel."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.customers.search_terms import term_condition
from core.guards import parse_id, parse_page
from core.pagination import COUNT_CAP, Page, capped_count
from extensions import db
from models import Customer, customer_groups

SORTS = {
    "-points": (Customer.points_balance.desc(), Customer.id.desc()),
    "points": (Customer.points_balance.asc(), Customer.id.asc()),
}


@dataclass
class MemberQuery:
    """What the members list asks for; it round-trips through the URL."""
    q: str = ""
    group: int | None = None
    sort: str = "-points"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "MemberQuery":
        sort = args.get("sort") or "-points"
        return cls(q=(args.get("q") or "").strip()[:100], group=parse_id(args.get("group")),
                   sort=sort if sort in SORTS else "-points", page=parse_page(args.get("page")))

    def to_args(self, **overrides) -> dict:
        args = {"q": self.q or None, "group": self.group,
                "sort": self.sort if self.sort != "-points" else None,
                "page": self.page if self.page > 1 else None}
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "")}


def member_select(employee, query: MemberQuery, phone_region: str = "FR"):
    """Enrolled customers (zero points too), filtered and sorted by points.

    `loyalty_member = true` as an equality, then points and id: the order of
    ix_customers_loyalty_points, so a page is read from the index.
    """
    stmt = select(Customer).where(Customer.loyalty_member == True,  # noqa: E712 (index equality)
                                  Customer.anonymised == False,  # noqa: E712
                                  Customer.archived == False)  # noqa: E712
    if query.group:
        stmt = stmt.where(Customer.id.in_(
            select(customer_groups.c.customer_id).where(customer_groups.c.group_id == query.group)))
    condition = term_condition(employee, query.q, phone_region)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.order_by(*SORTS[query.sort])


def list_members(employee, query: MemberQuery, per_page: int, phone_region: str = "FR") -> Page:
    """One page of members. Paging fetches one row more than the page to know
    whether a next page exists; the total is exact up to COUNT_CAP and shown
    as "more than" beyond, so the first page at a million members stays a read
    of 51 index entries plus a bounded count."""
    stmt = member_select(employee, query, phone_region)
    offset = (query.page - 1) * per_page
    rows = list(db.session.scalars(
        stmt.options(selectinload(Customer.phones), selectinload(Customer.groups))
        .limit(per_page + 1).offset(offset)))
    if not rows and query.page > 1:
        # A page past the end (members removed meanwhile): show the first.
        query.page = 1
        return list_members(employee, query, per_page, phone_region)
    total, capped = capped_count(stmt.with_only_columns(Customer.id), COUNT_CAP)
    return Page(items=rows[:per_page], page=query.page, per_page=per_page, total=total, total_is_capped=capped,
                more=len(rows) > per_page)


def get_member(customer_id: int) -> Customer | None:
    """An enrolled customer with phones and groups, or None (the route 404s)."""
    return db.session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.loyalty_member == True,  # noqa: E712
                               Customer.anonymised == False)  # noqa: E712
        .options(selectinload(Customer.phones), selectinload(Customer.groups)))
