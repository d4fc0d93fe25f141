"""Writing checked rows in two steps, so that an import is all-or-nothing even
if its process dies, without holding the database's one write lock (SQLite)
for the whole write:

1. Stager: each checked row is decided (create, update the customer with the
   same email or phone, or skip, as the employee chose) and staged in
   import_staged_rows, in short transactions. Nothing is visible yet; a job
   that dies here leaves only staged rows, which are purged.
2. apply_staged(): once every row is staged the job is "committing" and the
   staged rows are moved into the directory chunk by chunk, each chunk in one
   transaction that also deletes its staged rows: a job that dies here is
   resumed where it stopped (jobs.recover), never applied twice.
On PostgreSQL the move is one transaction (its readers and writers do not
wait on it); on SQLite short chunks let the till's sales through in between.
"""
from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

import orjson
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import selectinload

from core import search_index
from core.birthdays import Birthday
from blueprints.customers.importing.rows import ParsedRow
from extensions import db
from models import (
    Customer,
    Group,
    ImportChange,
    ImportStagedRow,
    Phone,
    PointsEntry,
    ShopSettings,
    customer_groups,
)
from models.base import utcnow
from core.phones import display_form
from core.textkeys import digits as only_digits

MAX_REPORT_ENTRIES = 100_000


def existing_customers(rows: list[ParsedRow]) -> tuple[dict[str, int], dict[str, int]]:
    """Customers (not deleted) already holding these emails and phone numbers."""
    emails = sorted({r.email_key for r in rows if r.email_key})
    phones = sorted({e164 for r in rows for _raw, e164 in r.phones if e164})
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    for start in range(0, len(emails), 500):
        for customer_id, key in db.session.execute(
                select(Customer.id, Customer.email_key).where(Customer.email_key.in_(emails[start:start + 500]),
                                                              Customer.anonymised.is_(False))
                .order_by(Customer.archived, Customer.id)):
            by_email.setdefault(key, customer_id)
    for start in range(0, len(phones), 500):
        for customer_id, e164 in db.session.execute(
                select(Phone.customer_id, Phone.e164).join(Customer, Customer.id == Phone.customer_id)
                .where(Phone.e164.in_(phones[start:start + 500]), Phone.linked.is_(True),
                       Customer.anonymised.is_(False)).order_by(Customer.archived, Customer.id)):
            by_phone.setdefault(e164, customer_id)
    return by_email, by_phone


def _insert_returning_ids(connection, table, rows: list[dict]) -> list[int]:
    """Insert rows; their ids in the rows' order.

    PostgreSQL: ids drawn from the table's sequence, then one COPY. SQLite:
    one executemany under the transaction's write lock takes consecutive
    rowids, so the ids are the run that ends at last_insert_rowid() (checked).
    """
    if connection.dialect.name == "postgresql":
        # Ids taken from the sequence first, then one COPY: INSERT ... RETURNING
        # in order costs ten times more over 100,000 rows.
        ids = list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)}).scalars())
        bulk_insert(connection, table, [{**row, "id": ident} for row, ident in zip(rows, ids)])
        return ids
    bulk_insert(connection, table, rows)
    last = connection.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    first = last - len(rows) + 1
    count = connection.execute(select(func.count()).select_from(table)
                               .where(table.c.id.between(first, last))).scalar()
    if count != len(rows):
        raise RuntimeError("imported rows did not take consecutive ids")
    return list(range(first, last + 1))




# Columns an imported row may set; the rest are the directory's own bookkeeping.
_OWN_COLUMNS = {"id", "version", "created_at", "updated_at", "origin", "anonymised", "anonymised_at",
                "merged_into_id", "archived_at", "loyalty_enrolled_at", "points_balance", "visit_count",
                "total_spent_cents", "first_visit_at", "last_visit_at", "card_match_key"}
_DERIVED = ("sort_name", "email_key", "name_key")
WRITABLE = frozenset(set(Customer.__table__.c.keys()) - _OWN_COLUMNS - set(_DERIVED) - set(search_index.EMPTY))
# The reason of the points entry that opens an imported balance (kept in
# French in the ledger, like the other reasons typed at the counter).
OPENING_BALANCE_REASON = "Solde repris à l'import"
# A value the file left empty takes the column's own default (account profile
# "standard", no discount, not archived...): one executemany needs every key.
_DEFAULTS = {column.name: column.default.arg for column in Customer.__table__.c
             if column.name in WRITABLE and column.default is not None and not callable(column.default.arg)}


# --- staged rows: a parsed row as JSON ---------------------------------------------

# Date and time columns travel as ISO text in the staged JSON, read back by name.
_TEMPORAL = {column.name: column.type.python_type for column in Customer.__table__.c
             if column.type.python_type in (date, datetime)}


def encode_row(row: ParsedRow) -> str:
    values = {key: value for key, value in row.values.items() if key in WRITABLE}
    # orjson writes dates as ISO text, ten times faster than json over 100,000 rows.
    return orjson.dumps({"values": values, "phones": row.phones, "groups": row.groups,
                         "points": getattr(row, "points", None),
                         "consents": [{k: c[k] for k in ("purpose", "state", "source_column", "text_shown")}
                                      for c in row.consents]}).decode()


def decode_row(payload: str) -> dict:
    row = orjson.loads(payload)
    values = row["values"]
    for key, kind in _TEMPORAL.items():
        if values.get(key):
            values[key] = kind.fromisoformat(values[key])
    return row


class _Keys:
    """Just enough of a customer for Customer.refresh_keys (an ORM object per
    row would cost seconds over 100,000 rows)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    def __getattr__(self, name):
        return None


def derived_keys(values: dict) -> dict:
    probe = _Keys(values)
    Customer.refresh_keys(probe)
    return {key: probe.__dict__[key] for key in _DERIVED}


# --- step 1: decide and stage ---------------------------------------------------------

class Stager:
    """Decides what each checked row becomes and stages it (the caller commits)."""

    def __init__(self, job_id: int, duplicates: str):
        self.job_id = job_id
        self.duplicates = duplicates
        self.seen_emails: set[str] = set()
        self.seen_phones: set[str] = set()
        self.skipped: list[dict] = []
        self.warned: list[dict] = []  # rows written with a value that could not be read
        self.warning_count = 0
        self.staged = 0

    def _in_file(self, row: ParsedRow) -> bool:
        phones = [e164 for _raw, e164 in row.phones if e164]
        found = (row.email_key and row.email_key in self.seen_emails) or any(
            e164 in self.seen_phones for e164 in phones)
        if row.email_key:
            self.seen_emails.add(row.email_key)
        self.seen_phones.update(phones)
        return bool(found)

    def _skip(self, row: ParsedRow, reason: str) -> None:
        if len(self.skipped) < MAX_REPORT_ENTRIES:
            self.skipped.append({"line": row.line, "outcome": "skipped", "reasons": [reason]})

    def stage(self, rows: list[ParsedRow]) -> None:
        by_email, by_phone = existing_customers(rows) if self.duplicates != "create" else ({}, {})
        staged = []
        for row in rows:
            in_file = self._in_file(row)
            match = by_email.get(row.email_key) if row.email_key else None
            reason = "duplicate_email" if match else None
            if match is None:
                match = next((by_phone[e] for _r, e in row.phones if e in by_phone), None)
                reason = "duplicate_phone" if match else None
            if self.duplicates == "create":
                action, target = "create", None
            elif match is not None:
                if self.duplicates != "update":
                    self._skip(row, reason)
                    continue
                action, target = "update", match
            elif in_file:
                self._skip(row, "duplicate_in_file")
                continue
            else:
                action, target = "create", None
            staged.append({"job_id": self.job_id, "line": row.line, "action": action, "target_id": target,
                           "payload": encode_row(row)})
            if row.warnings:
                self.warning_count += 1
                if len(self.warned) < MAX_REPORT_ENTRIES:
                    self.warned.append({"line": row.line, "outcome": "warning",
                                        "reasons": [f"{field}:{code}" for field, code in row.warnings]})
        if staged:
            bulk_insert(db.session.connection(), ImportStagedRow.__table__, staged)
        self.staged += len(staged)


def purge_staged(job_id: int) -> None:
    db.session.execute(delete(ImportStagedRow).where(ImportStagedRow.job_id == job_id))


def staged_count(job_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ImportStagedRow)
                             .where(ImportStagedRow.job_id == job_id))


# --- step 2: move staged rows into the directory ----------------------------------

def apply_staged(job_id: int, limit: int | None) -> tuple[int, int, int]:
    """Move up to `limit` staged rows (all when None) into the directory and
    delete them from the stage, in the caller's transaction.
    Returns (rows moved, created, updated)."""
    query = (select(ImportStagedRow.id, ImportStagedRow.action, ImportStagedRow.target_id,
                    ImportStagedRow.payload)
             .where(ImportStagedRow.job_id == job_id).order_by(ImportStagedRow.id))
    moved = created = updated = 0
    while True:
        batch = db.session.execute(query.limit(min(limit - moved, 2000) if limit else 2000)).all()
        if not batch:
            break
        creates = [decode_row(payload) for _id, action, _target, payload in batch if action == "create"]
        updates = [(target, decode_row(payload)) for _id, action, target, payload in batch if action == "update"]
        groups = _group_ids({name for row in creates for name in row["groups"]}
                            | {name for _t, row in updates for name in row["groups"]})
        if creates:
            _create(creates, groups, job_id)
        if updates:
            _update(updates, groups, job_id)
        db.session.execute(delete(ImportStagedRow).where(ImportStagedRow.id.in_([r[0] for r in batch])))
        moved += len(batch)
        created += len(creates)
        updated += len(updates)
        if limit and moved >= limit:
            break
    return moved, created, updated


def _group_ids(names: set[str]) -> dict[str, int]:
    ids = {}
    names = sorted(names)
    for start in range(0, len(names), 500):
        ids.update({name: group_id for group_id, name in db.session.execute(
            select(Group.id, Group.name).where(Group.name.in_(names[start:start + 500])))})
    for name in names:
        if name not in ids:
            ids[name] = db.session.scalar(insert(Group).returning(Group.id), [{"name": name}])
    return ids


def _phone_digits(raw: str, e164: str | None) -> str:
    return e164.lstrip("+") if e164 else only_digits(raw)[:20]


def _create(rows: list[dict], group_ids: dict[str, int], job_id: int | None = None) -> None:
    now = utcnow()
    region = ShopSettings.get().phone_region
    dicts = []
    for row in rows:
        values = {key: None for key in ("first_name", "last_name", "email")}
        values.update(row["values"])
        values.update(derived_keys(values))
        values.update(search_index.documents(
            values["first_name"], values["last_name"], values["email"],
            [e164 for _raw, e164 in row["phones"] if e164], values.get("company"),
            [_phone_digits(raw, None) for raw, e164 in row["phones"] if not e164]))
        for key, default in _DEFAULTS.items():
            if values.get(key) is None:
                values[key] = default
        member = bool(values.get("loyalty_member"))
        values.update(origin="import", created_at=now, updated_at=now, version=1,
                      archived_at=now if values.get("archived") else None,
                      loyalty_enrolled_at=now if member else None,
                      points_balance=max(0, row["points"] or 0) if member else 0)
        dicts.append(values)
    # One statement per table for the whole chunk, and every dict with the same
    # keys (executemany needs them): the ORM's bookkeeping per row doubles the time.
    keys = set().union(*dicts)
    dicts = [{key: values.get(key) for key in keys} for values in dicts]
    connection = db.session.connection()
    ids = _insert_returning_ids(connection, Customer.__table__, dicts)
    phones, memberships, points = [], [], []
    for customer_id, row, values in zip(ids, rows, dicts):
        for raw, e164 in row["phones"]:
            phones.append({"customer_id": customer_id, "raw": raw[:40], "e164": e164,
                           "digits": _phone_digits(raw, e164), "display": display_form(e164, raw[:40], region)[:40],
                           "label": "mobile", "linked": True, "created_at": now})
        memberships += [{"customer_id": customer_id, "group_id": group_ids[name]} for name in row["groups"]]
        if values["points_balance"]:
            points.append({"customer_id": customer_id, "delta": values["points_balance"], "kind": "add",
                           "reason": OPENING_BALANCE_REASON, "created_at": now})
    # What the undo removes (issue 15), in this chunk's transaction.
    changes = [{"job_id": job_id, "customer_id": customer_id, "created": True, "previous": None,
                "version_after": 1} for customer_id in ids] if job_id is not None else []
    for table, chunk in ((Phone.__table__, phones),
                         (customer_groups, memberships), (PointsEntry.__table__, points),
                         (ImportChange.__table__, changes)):
        bulk_insert(connection, table, chunk)
    from blueprints.customers.consent_files import record_imported_rows
    record_imported_rows(connection, list(zip(ids, rows)), job_id, now)


def bulk_insert(connection, table, rows: list[dict]) -> None:
    """Insert many rows of the same keys by the driver's own bulk path: COPY on
    PostgreSQL, one executemany on SQLite. SQLAlchemy's per-row parameter
    processing costs more than the database over 100,000 rows."""
    if not rows:
        return
    # The Python-side column defaults that insert() would apply (a default
    # computed by a function, such as a timestamp, once for the whole batch).
    defaults = {}
    for column in table.c:
        if column.name not in rows[0] and column.default is not None and column.default.is_scalar:
            defaults[column.name] = column.default.arg
        elif column.name not in rows[0] and column.default is not None and column.default.is_callable:
            defaults[column.name] = column.default.arg(None)
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    columns = list(rows[0])
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        return
    # SQLite: values as SQLAlchemy itself stores them (datetimes as text with
    # microseconds), converted only in the columns that hold them.
    temporal = [i for i, c in enumerate(columns) if table.c[c].type.python_type in (date, datetime)]
    pick = itemgetter(*columns)
    values = [pick(row) for row in rows] if len(columns) > 1 else [(row[columns[0]],) for row in rows]
    if temporal:
        values = [tuple(_sqlite_value(v) if i in temporal else v for i, v in enumerate(row)) for row in values]
    sql = (f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
           f'VALUES ({", ".join("?" for _ in columns)})')
    connection.exec_driver_sql(sql, values)


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _update(updates: list[tuple[int, dict]], group_ids: dict[str, int], job_id: int | None = None) -> None:
    """Fill an existing customer from a row: a value read replaces the one held,
    except the comments, which are added to (never replaced). What it changes
    is recorded for the undo (undo_import.Recorder)."""
    from blueprints.customers.undo_import import Recorder
    ids = sorted({customer_id for customer_id, _row in updates})
    customers = {c.id: c for c in db.session.scalars(
        select(Customer).where(Customer.id.in_(ids))
        .options(selectinload(Customer.phones), selectinload(Customer.groups)))}
    groups = {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(set(group_ids.values()))))}
    now = utcnow()
    region = ShopSettings.get().phone_region
    recorder = Recorder(job_id)
    for customer_id, row in updates:
        customer = customers.get(customer_id)
        if customer is None or customer.anonymised:
            continue  # deleted since the check: nothing to fill
        change = recorder.start(customer)
        for key, value in row["values"].items():
            if value is None or value == "":
                continue
            if key == "comments" and customer.comments:
                if value not in customer.comments:
                    customer.comments = f"{customer.comments}\n{value}"
                continue
            if key in ("birthday", "birthday_month", "birthday_day"):
                continue  # the three columns go together, below
            if key == "archived" and value and not customer.archived:
                customer.archived_at = now
            if key == "loyalty_member" and value and not customer.loyalty_member:
                customer.loyalty_enrolled_at = now
                if row["points"] and customer.points_balance == 0:
                    customer.points_balance = row["points"]
                    change.opening = PointsEntry(customer_id=customer.id, delta=row["points"], kind="add",
                                                 reason=OPENING_BALANCE_REASON)
                    db.session.add(change.opening)
            setattr(customer, key, value)
        if row["values"].get("birthday") or row["values"].get("birthday_month"):
            customer.set_birthday(Birthday.of(_Keys(row["values"])))
        present = {p.e164 or p.raw for p in customer.phones}
        for raw, e164 in row["phones"]:
            if (e164 or raw) not in present:
                phone = Phone(raw=raw[:40], e164=e164, label="mobile", digits=_phone_digits(raw, e164),
                              display=display_form(e164, raw[:40], region)[:40])
                customer.phones.append(phone)
                change.phones.append(phone)
                present.add(e164 or raw)
        have = {g.name for g in customer.groups}
        for name in row["groups"]:
            if name not in have:
                customer.groups.append(groups[group_ids[name]])
                change.group_ids.append(group_ids[name])
                have.add(name)
        customer.refresh_keys()
    db.session.flush()
    recorder.write()
    from blueprints.customers.consent_files import record_imported_rows
    record_imported_rows(db.session.connection(), [(customer_id, row) for customer_id, row in updates
                                                   if customer_id in customers and not customers[customer_id].anonymised],
                         job_id, now)
