"""Customers read as light records for the directory's page: plain rows
through SQLAlchemy Core, with their first linked phone and their groups'
names, no ORM object per customer and a fixed number of queries for any
number of them (the export reads its batches in export_batches.py, whose
groups and consents queries these are). What an employee may see of a
record is decided by permissions.row_views (or customer_view), never here.
"""
from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

from sqlalchemy import bindparam, select

from blueprints.customers.export_batches import CONSENTS_OF, GROUPS_OF, Consent
from core.birthdays import Birthday
from extensions import db
from models import Customer, Phone
from models.customers import display_name

# The columns the directory shows or its permission view reads (origin and
# visit_count: permissions.is_marketing_only).
PAGE_COLUMNS = ("id", "first_name", "last_name", "company", "email", "origin", "visit_count", "archived",
                "needs_review", "points_balance", "last_visit_at", "total_spent_cents",
                "birthday", "birthday_month", "birthday_day")
_PHONE_COLUMNS = ("id", "display", "e164", "raw", "label")
# Places in a row of _page_select: the marketing rule's two columns, then the number's.
_ORIGIN, _VISITS, _PHONE = PAGE_COLUMNS.index("origin"), PAGE_COLUMNS.index("visit_count"), len(PAGE_COLUMNS)


class PageRecord(namedtuple("PageRecord", PAGE_COLUMNS + ("phones", "groups", "consents"))):
    """One customer of a page: the columns above, `phones` their first
    linked number (the one a list shows: a PhoneRecord, or none), `groups`
    their group names (by name), `consents` their consent states when
    permissions.is_marketing_only reads them (a marketing sign-up who never
    came), else none."""
    __slots__ = ()

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company, self.id)

    @property
    def birthday_value(self) -> Birthday | None:
        return Birthday.of(self)


# A linked number as masking.phone_text and masking.phones_at read it.
PhoneRecord = namedtuple("PhoneRecord", _PHONE_COLUMNS + ("linked",))


@lru_cache(maxsize=8)
def _page_select(places: int):
    """The page's customers with their first linked number, for up to
    `places` ids. The ids are that many bound parameters (the places left
    over hold 0, no customer's id), so the statement is compiled once per
    size and cached, where an expanding IN is rendered and bound anew at
    every execution (a third of the rows' loading)."""
    customers, phones = Customer.__table__, Phone.__table__
    candidates = phones.alias("candidates")
    first_linked = (select(candidates.c.id).where(candidates.c.customer_id == customers.c.id, candidates.c.linked)
                    .order_by(candidates.c.id).limit(1).correlate(customers).scalar_subquery())
    return (select(*(customers.c[name] for name in PAGE_COLUMNS), *(phones.c[name] for name in _PHONE_COLUMNS))
            .select_from(customers.outerjoin(phones, phones.c.id == first_linked))
            .where(customers.c.id.in_([bindparam(f"id{place}") for place in range(places)])))


def page_records(ids: list[int]) -> list[PageRecord]:
    """The customers of `ids`, in that order (one deleted meanwhile is left
    out): two queries (three when a marketing sign-up is among them)."""
    if not ids:
        return []
    places = max(8, 1 << (len(ids) - 1).bit_length())  # the next power of two: few statements to cache
    values = {f"id{place}": ids[place] if place < len(ids) else 0 for place in range(places)}
    connection = db.session.connection()
    found = {row[0]: row for row in connection.execute(_page_select(places), values).all()}
    ids = [customer_id for customer_id in ids if customer_id in found]
    groups = group_names(connection, ids)
    signed_up = [customer_id for customer_id in ids
                 if found[customer_id][_ORIGIN] == "marketing" and not found[customer_id][_VISITS]]
    consents = _consent_states(connection, signed_up) if signed_up else {}
    none, records = (), []
    for customer_id in ids:
        row = found[customer_id]
        phone = (PhoneRecord(*row[_PHONE:], True),) if row[_PHONE] is not None else none
        records.append(PageRecord(*row[:_PHONE], phone, groups.get(customer_id, none), consents.get(customer_id, none)))
    return records


def _id_list(customer_ids: list[int]) -> str:
    return ",".join(str(int(customer_id)) for customer_id in customer_ids)  # integers only: nothing to escape


def group_names(connection, customer_ids: list[int]) -> dict[int, list[str]]:
    """The names of these customers' groups, in name order: one query."""
    groups: dict[int, list] = {}
    if customer_ids:  # "IN ()" is no SQL
        in_ids = f"customer_groups.customer_id IN ({_id_list(customer_ids)})"
        for customer_id, name in connection.exec_driver_sql(GROUPS_OF.format(in_batch=in_ids)):
            groups.setdefault(customer_id, []).append(name)
    return groups


def _consent_states(connection, customer_ids: list[int]) -> dict[int, tuple]:
    """The current consent states of a page's marketing sign-ups (whether they
    are still subscribed decides their masking, permissions.is_marketing_only)."""
    found: dict[int, list] = {}
    in_ids = f"customer_id IN ({_id_list(customer_ids)})"
    for customer_id, purpose, state, _changed_at in connection.exec_driver_sql(CONSENTS_OF.format(in_batch=in_ids)):
        found.setdefault(customer_id, []).append(Consent(purpose, state))
    return {key: tuple(value) for key, value in found.items()}
