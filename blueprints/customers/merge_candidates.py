"""Customers a merge may take: the merge page's candidates (searched by
the employee) and the Doublons page's likely duplicates (customers sharing
an email, a phone number or a name).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Customer, Phone
from core.permissions import can, searchable_fields


def candidates(employee, primary: Customer, term: str, selected_ids: list[int], region: str,
               limit: int = 20) -> tuple[list[Customer], list[Customer]]:
    """(the secondaries already chosen, other customers matching the term):
    the list a merge picks from. Archived customers can be merged, deleted ones
    and ones already merged into another not."""
    from blueprints.customers.search import customer_select
    from blueprints.customers.search_query import CustomerQuery
    selected = []
    if selected_ids:
        found = {c.id: c for c in db.session.scalars(
            select(Customer).where(Customer.id.in_(selected_ids), Customer.anonymised.is_(False),
                                   Customer.merged_into_id.is_(None), Customer.id != primary.id)
            .options(selectinload(Customer.phones), selectinload(Customer.groups)))}
        selected = [found[i] for i in selected_ids if i in found]
    matches = []
    if term.strip():
        stmt = (customer_select(employee, CustomerQuery(q=term, archived=True), region)
                .where(Customer.id != primary.id, Customer.merged_into_id.is_(None))
                .options(selectinload(Customer.phones), selectinload(Customer.groups)))
        if selected_ids:
            stmt = stmt.where(Customer.id.not_in(selected_ids))
        matches = list(db.session.scalars(stmt.limit(limit)))
    return selected, matches


DUPLICATE_KINDS = ("email", "phone", "name")


def duplicate_kinds(employee) -> list[str]:
    """Kinds an employee may look at: a shared email or phone is only shown to
    someone who may view those fields (as the search does)."""
    allowed = searchable_fields(employee)
    return [kind for kind in DUPLICATE_KINDS if kind in allowed] if can(employee, "customers.merge") else []


PAIRS_PER_GROUP = 5


@dataclass
class DuplicateGroup:
    customers: list[Customer] = field(default_factory=list)  # the first PAIRS_PER_GROUP + 1, oldest first
    holders: int = 0  # every active customer holding the key

    @property
    def pairs(self) -> list[tuple[Customer, Customer]]:
        """(primary, secondary): the oldest record is proposed as primary. A
        common name may be shared by dozens: the page shows a few pairs of each."""
        first, *others = self.customers
        return [(first, other) for other in others[:PAIRS_PER_GROUP]]

    @property
    def more(self) -> int:
        return max(0, self.holders - 1 - PAIRS_PER_GROUP)


def _candidate_keys(kind: str):
    """Keys held by more than one row, in key order: a GROUP BY that reads
    only the key's index (no row is visited), so it stays quick at a million
    customers. Archived, deleted or unlinked rows are sorted out afterwards."""
    if kind == "email":
        key = Customer.email_key
        return key, select(key).where(key.is_not(None)).group_by(key).having(func.count() > 1).order_by(key)
    if kind == "phone":
        key = Phone.e164
        return key, select(key).where(key.is_not(None)).group_by(key).having(func.count() > 1).order_by(key)
    if kind == "name":
        key = Customer.name_key
        return key, select(key).where(key > "").group_by(key).having(func.count() > 1).order_by(key)
    raise ValueError(kind)


def _groups_for(kind: str, keys: list[str]) -> dict:
    """The active customers holding each key, oldest first: all of them
    counted, the first PAIRS_PER_GROUP + 1 loaded (a first name alone is
    held by hundreds at a million customers: loading them all took 90 ms).
    Rows are found by the key's index alone and the archived and deleted ones
    are left out here: with "archived = false" in the SQL, SQLite would
    rather walk the million rows of an (archived, ...) index."""
    if kind == "phone":
        holders = db.session.execute(select(Phone.e164, Phone.customer_id)
                                     .where(Phone.e164.in_(keys), Phone.linked.is_(True))).all()
        state = {cid: (archived, anonymised) for cid, archived, anonymised in db.session.execute(
            select(Customer.id, Customer.archived, Customer.anonymised)
            .where(Customer.id.in_({cid for _e, cid in holders})))}
        rows = sorted(((e164, cid, *state[cid]) for e164, cid in holders), key=lambda row: row[1])
    else:
        column = Customer.email_key if kind == "email" else Customer.name_key
        rows = db.session.execute(select(column, Customer.id, Customer.archived, Customer.anonymised)
                                  .where(column.in_(keys)).order_by(Customer.id)).all()
    by_key: dict[str, list[int]] = {}
    for member_key, customer_id, archived, anonymised in rows:
        if not (archived or anonymised):
            ids = by_key.setdefault(member_key, [])
            if customer_id not in ids:
                ids.append(customer_id)
    shown = {cid for ids in by_key.values() for cid in ids[:PAIRS_PER_GROUP + 1]}
    customers = {c.id: c for c in db.session.scalars(
        select(Customer).where(Customer.id.in_(shown))
        .options(selectinload(Customer.phones), selectinload(Customer.groups)))}
    return {key: DuplicateGroup([customers[cid] for cid in ids[:PAIRS_PER_GROUP + 1]], holders=len(ids))
            for key, ids in by_key.items()}


def find_duplicates(kind: str, start: int = 0, per_page: int = 20, max_rounds: int = 10
                    ) -> tuple[list[DuplicateGroup], int | None]:
    """Up to per_page groups of active customers sharing a key, and where the
    next page starts (None at the end).

    `start` counts candidate keys, not groups: an integer in the URL, never a
    key (an email or a phone number has no place in an address bar or a log).
    """
    _key, stmt = _candidate_keys(kind)
    start = max(0, start)
    found: list[DuplicateGroup] = []
    chunk = per_page * 2
    for _round in range(max_rounds):
        keys = list(db.session.scalars(stmt.offset(start).limit(chunk)))
        if not keys:
            return found, None
        groups = _groups_for(kind, keys)
        for index, key in enumerate(keys):
            group = groups.get(key)
            if group is not None and group.holders > 1:
                found.append(group)
                if len(found) == per_page:
                    return found, start + index + 1
        start += len(keys)
        if len(keys) < chunk:
            return found, None
    return found, start  # many candidates were archived duplicates: the next page goes on from here
