"""Step 2 of writing an import: once every row is staged (staging.py) the job
is "committing", and apply_staged() moves the staged rows into the directory
chunk by chunk, each chunk in the caller's transaction, which also deletes
its staged rows: a job that dies here is resumed where it stopped
(recovery.py), never applied twice. On PostgreSQL the job moves everything in
one transaction (its readers and writers do not wait on it); on SQLite short
chunks let the till's sales through in between (jobs.py decides).
"""
from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from blueprints.customers.importing.bulk import bulk_insert, insert_returning_ids
from blueprints.customers.importing.staging import DERIVED_KEYS, WRITABLE, decode_row
from core import search_index
from core.birthdays import Birthday
from core.phones import display_form
from core.textkeys import digits as only_digits
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

# The reason of the points entry that opens an imported balance (kept in
# French in the ledger, like the other reasons typed at the counter).
OPENING_BALANCE_REASON = "Solde repris à l'import"
# A value the file left empty takes the column's own default (account profile
# "standard", no discount, not archived...): one executemany needs every key.
_DEFAULTS = {column.name: column.default.arg for column in Customer.__table__.c
             if column.name in WRITABLE and column.default is not None and not callable(column.default.arg)}


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
    return {key: probe.__dict__[key] for key in DERIVED_KEYS}


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
    ids = insert_returning_ids(connection, Customer.__table__, dicts)
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
