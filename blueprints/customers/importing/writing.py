"""Writing checked rows: creations in bulk, updates through the ORM,
duplicates (same email or phone) skipped, updated or created as chosen."""
from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from blueprints.customers.importing.rows import ParsedRow
from extensions import db
from models import Customer, CustomerSearchTerm, Group, Phone, PointsEntry, customer_groups
from models.base import utcnow
from textkeys import digits as only_digits

# The reason of the points entry that opens an imported balance (kept in
# French in the ledger, like the other reasons typed at the counter).
OPENING_REASON = "Solde repris à l'import"

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


def _key_values(first_name, last_name, email) -> dict:
    """The derived keys, computed by the model's own refresh_keys()."""
    probe = Customer(first_name=first_name, last_name=last_name, email=email)
    probe.refresh_keys()
    return {"sort_name": probe.sort_name, "name_search": probe.name_search, "email_key": probe.email_key,
            "email_search": probe.email_search, "name_key": probe.name_key}


def _insert_returning_ids(connection, table, rows: list[dict]) -> list[int]:
    """Insert rows; their ids in the rows' order.

    PostgreSQL: INSERT ... RETURNING, ordered by SQLAlchemy. SQLite would fall
    back to one statement per row for an ordered RETURNING; there, one
    executemany under the transaction's write lock takes consecutive rowids,
    so the ids are the run that ends at last_insert_rowid() (checked).
    """
    if connection.dialect.name != "sqlite":
        return list(connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
    connection.execute(insert(table), rows)
    last = connection.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    first = last - len(rows) + 1
    count = connection.execute(select(func.count()).select_from(table)
                               .where(table.c.id.between(first, last))).scalar()
    if count != len(rows):
        raise RuntimeError("imported rows did not take consecutive ids")
    return list(range(first, last + 1))


class Writer:
    """Writes batches of checked rows: creations in bulk, updates through the ORM."""

    def __init__(self, duplicates: str, region: str):
        self.duplicates = duplicates
        self.region = region
        self.seen_emails: dict[str, int] = {}
        self.seen_phones: dict[str, int] = {}
        self.group_ids: dict[str, int] = {}
        self.created = self.updated = self.skipped = 0
        self.report: list[dict] = []

    def _in_file(self, row: ParsedRow) -> bool:
        found = (row.email_key and row.email_key in self.seen_emails) or any(
            e164 in self.seen_phones for _raw, e164 in row.phones if e164)
        if row.email_key:
            self.seen_emails.setdefault(row.email_key, row.line)
        for _raw, e164 in row.phones:
            if e164:
                self.seen_phones.setdefault(e164, row.line)
        return bool(found)

    def _skip(self, row: ParsedRow, reason: str) -> None:
        self.skipped += 1
        if len(self.report) < MAX_REPORT_ENTRIES:
            self.report.append({"line": row.line, "outcome": "skipped", "reasons": [reason]})

    def write(self, rows: list[ParsedRow]) -> None:
        by_email, by_phone = existing_customers(rows) if self.duplicates != "create" else ({}, {})
        creates, updates = [], []
        for row in rows:
            in_file = self._in_file(row)
            match, reason = None, None
            if row.email_key and row.email_key in by_email:
                match, reason = by_email[row.email_key], "duplicate_email"
            else:
                match = next((by_phone[e] for _r, e in row.phones if e in by_phone), None)
                reason = "duplicate_phone" if match else None
            if self.duplicates == "create":
                creates.append(row)
            elif match is not None:
                if self.duplicates == "update":
                    updates.append((match, row))
                else:
                    self._skip(row, reason)
            elif in_file:
                self._skip(row, "duplicate_in_file")
            else:
                creates.append(row)
        if creates:
            self._create(creates)
        if updates:
            self._update(updates)

    def _group_ids(self, names: set[str]) -> None:
        missing = sorted(names - set(self.group_ids))
        if not missing:
            return
        for group_id, name in db.session.execute(select(Group.id, Group.name).where(Group.name.in_(missing))):
            self.group_ids[name] = group_id
        for name in missing:
            if name not in self.group_ids:
                self.group_ids[name] = db.session.scalar(insert(Group).returning(Group.id), [{"name": name}])

    def _create(self, rows: list[ParsedRow]) -> None:
        import search_index
        now = utcnow()
        dicts = []
        columns = set(Customer.__table__.c.keys())
        written = sorted(({"first_name", "last_name", "email", "address_line1", "address_line2", "postal_code",
                           "city", "country", "birthday", "comments", "tax_id"}
                          | {key for row in rows for key in row.values}) & columns)
        for row in rows:
            values = {key: row.values.get(key) for key in written}
            values.update(_key_values(values["first_name"], values["last_name"], values["email"]))
            values.update(email_notifications=bool(row.values.get("email_notifications", False)),
                          marketing_consent=bool(row.values.get("marketing_consent", False)),
                          archived=bool(row.values.get("archived", False)),
                          archived_at=now if row.values.get("archived") else None,
                          loyalty_member=bool(row.values.get("loyalty_member", False)),
                          loyalty_enrolled_at=now if row.values.get("loyalty_member") else None,
                          points_balance=(row.points or 0) if row.values.get("loyalty_member") else 0,
                          needs_review=bool(row.values.get("needs_review", False)),
                          account_profile=row.values.get("account_profile") or "standard",
                          default_discount=row.values.get("default_discount") or 0,
                          origin="import", created_at=now, updated_at=now, version=1)
            dicts.append(values)
        # Core statements (not ORM bulk): the ORM's bookkeeping per row doubles the time.
        connection = db.session.connection()
        table = Customer.__table__
        ids = _insert_returning_ids(connection, table, dicts)
        phones, terms, memberships, points = [], [], [], []
        self._group_ids({name for row in rows for name in row.groups})
        for customer_id, row, values in zip(ids, rows, dicts):
            for raw, e164 in row.phones:
                phones.append({"customer_id": customer_id, "raw": raw[:40], "e164": e164,
                               "digits": e164.lstrip("+") if e164 else only_digits(raw)[:20],
                               "label": "mobile", "linked": True, "created_at": now})
            terms += search_index.rows_for(customer_id, values["first_name"], values["last_name"],
                                           values["email"], [e164 for _raw, e164 in row.phones if e164],
                                           company=values.get("company"),
                                           unverified_digits=[only_digits(raw)[:20] for raw, e164 in row.phones
                                                              if not e164])
            memberships += [{"customer_id": customer_id, "group_id": self.group_ids[name]} for name in row.groups]
            if row.points and values["loyalty_member"]:
                points.append({"customer_id": customer_id, "delta": row.points, "kind": "add",
                               "reason": OPENING_REASON, "created_at": now})
        if phones:
            connection.execute(insert(Phone.__table__), phones)
        if terms:
            connection.execute(insert(CustomerSearchTerm.__table__), terms)
        if memberships:
            connection.execute(insert(customer_groups), memberships)
        if points:
            connection.execute(insert(PointsEntry.__table__), points)
        self.created += len(rows)

    def _update(self, updates: list[tuple[int, ParsedRow]]) -> None:
        from blueprints.customers.service import make_phone
        ids = sorted({customer_id for customer_id, _row in updates})
        customers = {c.id: c for c in db.session.scalars(
            select(Customer).where(Customer.id.in_(ids))
            .options(selectinload(Customer.phones), selectinload(Customer.groups)))}
        self._group_ids({name for _id, row in updates for name in row.groups})
        for customer_id, row in updates:
            customer = customers[customer_id]
            for key, value in row.values.items():
                if value is not None and value != "":
                    setattr(customer, key, value)
            present = {p.e164 or p.raw for p in customer.phones}
            for raw, e164 in row.phones:
                if (e164 or raw) not in present:
                    phone = make_phone(raw, self.region)
                    phone.e164 = e164
                    phone.digits = e164.lstrip("+") if e164 else only_digits(raw)[:20]
                    customer.phones.append(phone)
                    present.add(e164 or raw)
            have = {g.name for g in customer.groups}
            for name in row.groups:
                if name not in have:
                    customer.groups.append(db.session.get(Group, self.group_ids[name]))
                    have.add(name)
            customer.refresh_keys()
        db.session.flush()
        self.updated += len(updates)
