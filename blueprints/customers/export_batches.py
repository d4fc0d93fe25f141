"""Reading the customers of a list export in batches, column by column (the
columns themselves are decided in export_list.py).

A batch is BATCH customers of the list's select, in its order, read through a
server-side cursor where the database has one (SQLite's cursor reads as it
goes anyway), so a million customers export in flat memory. It is held as
columns, one tuple per field, so that an export column is one loop over the
batch rather than a function call per cell. (500 rather than 1000: as fast,
measured on 200,000 customers, and 15 MB less at the peak.)

A batch's linked phones, groups and consent states are read only when a
column asks for them, each by one query over the batch's ids, on the DBAPI
cursor: plain tuples, no Row object per phone of a million.
"""
from __future__ import annotations

from collections import namedtuple
from functools import cached_property
from typing import Iterator

from sqlalchemy import DateTime, Select

BATCH = 500

# {in_batch}: the customer is one of the batch's (_fetch). The groups and consents
# queries also serve the directory's page (light_rows.py). SQLAlchemy's
# expanding parameter would render and bind one parameter per customer.
_PHONES_OF = 'SELECT customer_id, raw, e164 FROM phones WHERE {in_batch} AND linked ORDER BY id'
GROUPS_OF = ('SELECT customer_groups.customer_id, "groups".name FROM customer_groups '
              'JOIN "groups" ON "groups".id = customer_groups.group_id WHERE {in_batch} ORDER BY "groups".name')
CONSENTS_OF = 'SELECT customer_id, purpose, state, changed_at FROM customer_consents WHERE {in_batch}'

# What permissions.is_marketing_only reads of a customer's consents.
Consent = namedtuple("Consent", ("purpose", "state"))


class _Rule:
    """One customer as permissions.is_marketing_only reads them; their
    consents are gathered only if the rule asks (a marketing sign-up who
    never came), not for every customer of the batch."""
    __slots__ = ("origin", "visit_count", "_id", "_states")

    def __init__(self, origin, visit_count, customer_id, states):
        self.origin, self.visit_count, self._id, self._states = origin, visit_count, customer_id, states

    @property
    def consents(self) -> list:
        return [Consent(purpose, found[self._id][0]) for purpose, found in self._states.items()
                if self._id in found]


class Batch:
    """Customers of the export, in the list's order, as columns:
    batch["email"] is the tuple of their emails."""

    def __init__(self, connection, names: tuple[str, ...], rows: list):
        self._connection = connection
        self._columns = dict(zip(names, zip(*rows)))
        self.ids = self._columns["id"]

    def __getitem__(self, name: str) -> tuple:
        return self._columns[name]

    def _fetch(self, sql: str, column: str = "customer_id") -> list[tuple]:
        """The rows of one of the queries above for the batch's customers."""
        cursor = self._connection.connection.cursor()
        try:
            ids = ",".join(map(str, map(int, self.ids)))  # integers only: nothing to escape
            if self._connection.dialect.name == "postgresql":
                # One array parameter (as text: psycopg checks each item of a
                # list): the same statement every batch, which psycopg
                # prepares, so it is planned once, with the index.
                cursor.execute(sql.format(in_batch=f"{column} = ANY(%s::integer[])"), ["{" + ids + "}"])
            else:
                cursor.execute(sql.format(in_batch=f"{column} IN ({ids})"))
            return cursor.fetchall()
        finally:
            cursor.close()

    def _per_customer(self, pairs) -> list[tuple]:
        found: dict[int, list] = {}
        for customer_id, value in pairs:
            if customer_id in found:
                found[customer_id].append(value)
            else:
                found[customer_id] = [value]
        get = found.get
        return [get(customer_id, ()) for customer_id in self.ids]

    @cached_property
    def phones(self) -> list:
        """Each customer's linked phone texts, in the order they were added
        (E.164, or as typed when unreadable)."""
        return self._per_customer((customer_id, e164 or raw) for customer_id, raw, e164 in self._fetch(_PHONES_OF))

    @cached_property
    def groups(self) -> list:
        """Each customer's group names, alphabetically."""
        return self._per_customer(self._fetch(GROUPS_OF, "customer_groups.customer_id"))

    @cached_property
    def consents(self) -> dict[str, dict[int, tuple]]:
        """The current consent states: {purpose: {customer id: (state, changed_at)}}."""
        dialect = self._connection.dialect
        # A date as SQLAlchemy reads it (SQLite stores text), since the DBAPI cursor does not.
        read_date = DateTime().dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
        states: dict[str, dict[int, tuple]] = {}
        for customer_id, purpose, state, changed_at in self._fetch(CONSENTS_OF):
            states.setdefault(purpose, {})[customer_id] = (state, read_date(changed_at))
        return states

    @cached_property
    def marketing_only(self) -> list[bool]:
        """permissions.is_marketing_only for each customer: the one rule, so
        the file masks exactly what the screen does."""
        from core.permissions import is_marketing_only
        states = self.consents
        return [is_marketing_only(_Rule(origin, visits, customer_id, states))
                for customer_id, origin, visits in zip(self.ids, self["origin"], self["visit_count"])]


def read_batches(connection, stmt: Select, names: tuple[str, ...], batch: int = BATCH) -> Iterator[Batch]:
    """The select's customers, `names` of their columns, BATCH at a time."""
    from models import Customer
    table = Customer.__table__
    rows_stmt = stmt.with_only_columns(*(table.c[name] for name in names), maintain_column_froms=False)
    result = connection.execute(rows_stmt.execution_options(yield_per=batch, stream_results=True))
    for partition in result.partitions(batch):
        yield Batch(connection, names, partition)
