"""The demo shop: `flask --app app demo` (and the benchmark's million customers).

It replaces every row of the database with an épicerie of two locations, three
employees, customers, loyalty members, sales and invoices, all drawn from one
seed. Rows are written with Core bulk inserts in chunks (explicit ids), and kept
consistent the way the services keep them:
- every Customer.points_balance is the sum of that customer's PointsEntry rows;
- visit_count, total_spent_cents, first_visit_at and last_visit_at equal what
  the customer's completed sales give;
- search keys come from Customer.refresh_keys(), phone numbers from make_phone().
"""
from __future__ import annotations

import bisect
import hashlib
import random
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from types import SimpleNamespace

from anyascii import anyascii
from sqlalchemy import func, insert, select, text

from demo import data
from core import purchase_index
from core import search_index
from extensions import db
from models import (
    ConsentEvent,
    Customer,
    CustomerConsent,
    Employee,
    Group,
    Invoice,
    Location,
    Phone,
    PointsEntry,
    Reward,
    Sale,
    SaleItem,
    ShopSettings,
    customer_groups,
)
from models.base import utcnow
from core.textkeys import fold

PASSWORD = "comptoir-demo"
SHOP_NAME = "Épicerie Comptoir"
REGION = "FR"
EARN_RATE = Decimal(1)
REWARD_VALIDITY_DAYS = 90
GROUPS = ("VIP", "Voisins", "Entreprises", "Étudiants", "Newsletter")
LOCATIONS = (("Comptoir Bastille", "12 rue de la Roquette, 75011 Paris"),
             ("Comptoir Croix-Rousse", "8 boulevard de la Croix-Rousse, 69004 Lyon"))
EMPLOYEES = (("owner@demo.test", "Camille Rousseau", "Propriétaire", (0, 1)),
             ("manager@demo.test", "Karim Benali", "Gérant", (0, 1)),
             ("cashier@demo.test", "Léa Fontaine", "Employé", (0,)))

CHUNK = 2000            # customers generated and written per transaction (a multiple of 50)
BATCH = 10000           # rows per executemany
SALES_PER_CUSTOMER = 5
DEFAULT_MAX_SALES = 5_000_000
ANONYMOUS_SHARE = 0.15  # sales without a customer
HISTORY_DAYS = 730      # sales over the last two years
DUPLICATE_EVERY = 50    # one customer in 50 is a deliberate duplicate of the previous one


def default_sale_count(customer_count: int) -> int:
    return min(SALES_PER_CUSTOMER * customer_count, DEFAULT_MAX_SALES)


def shop_is_empty() -> bool:
    """True when nobody works here yet (the demo may be loaded)."""
    return not db.session.scalar(select(func.count(Employee.id)))


# The demo's accounts share this domain; their password is printed in the README.
DEMO_DOMAIN = "@demo.test"


def has_demo_accounts() -> bool:
    """True while an active demo account can sign in: every page says so."""
    return bool(db.session.scalar(select(func.count(Employee.id)).where(
        Employee.active.is_(True), Employee.email.like(f"%{DEMO_DOMAIN}"))))


def retire_demo_accounts() -> int:
    """Close the demo accounts (deactivated, an unusable password, signed out
    everywhere), keeping them for the history they signed. The caller commits."""
    import secrets

    from core import sessions
    from core.passwords import hash_password
    employees = list(db.session.scalars(select(Employee).where(Employee.email.like(f"%{DEMO_DOMAIN}"))))
    for employee in employees:
        employee.active = False
        employee.password_hash = hash_password(secrets.token_urlsafe(32))
        sessions.end_all(employee.id)
    return len(employees)


def is_demo_database(app) -> bool:
    """The demo belongs to the default database (instance/comptoir.sqlite3), or
    to one named with COMPTOIR_DEMO=1 (`./run.sh --demo`); never to a database a
    shop set up with DATABASE_URL."""
    import os
    from pathlib import Path

    from config import database_url
    if os.environ.get("COMPTOIR_DEMO") == "1":
        return True
    default = f"sqlite:///{Path(app.instance_path) / 'comptoir.sqlite3'}"
    return not os.environ.get("DATABASE_URL") and app.config["SQLALCHEMY_DATABASE_URI"] in (
        default, database_url(Path(app.instance_path)))


def build_demo_shop(customer_count: int = 2000, sale_count: int | None = None, seed: int = 2026,
                    echo=print) -> str:
    """Replace all data with the demo shop; returns a one-line summary."""
    if customer_count < 0 or (sale_count is not None and sale_count < 0):
        raise ValueError("counts must not be negative")
    started = time.monotonic()
    if sale_count is None:
        sale_count = default_sale_count(customer_count)
    db.session.remove()
    engine = db.engine
    echo(f"Demo shop: {customer_count:,} customers, {sale_count:,} sales (seed {seed}) "
         f"into {engine.url.render_as_string(hide_password=True)}")
    _wipe(engine)
    staff = _build_staff(seed)
    # Everything is dated relative to the start of today: one seed, one shop (shifted by whole days).
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    generator = _Generator(random.Random(seed), seed, today, staff, customer_count, sale_count)
    totals: dict[str, int] = {}
    with engine.connect() as connection:
        with _bulk_mode(connection), _indexes_dropped(connection, echo):
            for low in range(1, customer_count + 1, CHUNK):
                high = min(low + CHUNK, customer_count + 1)
                rows = generator.chunk(low, high)
                for table, table_rows in rows:
                    _write_rows(connection, table, table_rows)
                    totals[table.name] = totals.get(table.name, 0) + len(table_rows)
                connection.commit()
                if high - 1 == customer_count or (high - 1) % max(CHUNK, customer_count // 10 // CHUNK * CHUNK) == 0:
                    echo(f"  {high - 1:,} customers, {totals.get('sales', 0):,} sales "
                         f"({time.monotonic() - started:.0f} s)")
            indexed = time.monotonic()
            purchase_index.rebuild(connection)
            connection.commit()
            echo(f"  purchase index built in {time.monotonic() - indexed:.0f} s")
        _after_load(connection, echo)
    elapsed = time.monotonic() - started
    return (f"Demo shop ready in {elapsed:.0f} s: {totals.get('customers', 0):,} customers, "
            f"{totals.get('phones', 0):,} phones, {totals.get('sales', 0):,} sales, "
            f"{totals.get('sale_items', 0):,} items, {totals.get('points_entries', 0):,} ledger rows, "
            f"{totals.get('rewards', 0):,} rewards, {totals.get('invoices', 0):,} invoices. "
            f"Sign in as owner@demo.test, manager@demo.test or cashier@demo.test / {PASSWORD}")


# --- the database around the load ----------------------------------------

def _write_rows(connection, table, rows: list[dict]) -> None:
    """Rows of one table (each with every column). PostgreSQL: COPY, about
    ten times the pace of INSERT statements (a million customers and ten
    million sales took hours the other way)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start:start + BATCH])
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])


def _wipe(engine) -> None:
    """Delete every row, children first (PostgreSQL: TRUNCATE and restart the ids)."""
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                    + " RESTART IDENTITY CASCADE"))
            connection.commit()
            return
        # SQLite: every row goes, so the per-row foreign-key checks (a scan of
        # customers.merged_into_id per customer) are switched off meanwhile.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        try:
            with _search_triggers_paused(connection, lambda _line: None):
                for table in tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
                connection.commit()
        finally:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")


@contextmanager
def _bulk_mode(connection):
    """SQLite: no foreign-key lookups or fsync while loading rows that are
    consistent by construction; a bigger page cache. Restored afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.commit()
    for pragma in ("foreign_keys = OFF", "synchronous = OFF", "cache_size = -131072"):
        connection.exec_driver_sql(f"PRAGMA {pragma}")
    try:
        yield
    finally:
        connection.rollback()
        for pragma in ("foreign_keys = ON", "synchronous = NORMAL", "cache_size = -2000"):
            connection.exec_driver_sql(f"PRAGMA {pragma}")


@contextmanager
def _indexes_dropped(connection, echo):
    """Secondary indexes are dropped during the load and built once at the end
    (sorting once is much faster than growing them row by row)."""
    names = {table.name for table in db.metadata.sorted_tables}
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all()
    elif connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")).all()
    else:
        rows = []
    indexes = [(name, sql) for name, table, sql in rows if table in names]
    for name, _sql in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    connection.commit()
    try:
        with _search_triggers_paused(connection, echo):
            yield
    finally:
        connection.rollback()
        started = time.monotonic()
        for _name, sql in indexes:
            connection.execute(text(sql))
        connection.commit()
        if indexes:
            echo(f"  {len(indexes)} indexes built in {time.monotonic() - started:.0f} s")


@contextmanager
def _search_triggers_paused(connection, echo):
    """SQLite: the triggers that keep the FTS5 search index in step
    (migration f13s00000001) are dropped meanwhile, and the index is rebuilt
    once from the customers at the end."""
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'customer_fts_%'"
    ).all() if connection.dialect.name == "sqlite" else []
    if not triggers:
        yield
        return
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        started = time.monotonic()
        connection.exec_driver_sql("INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')")
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        connection.commit()
        echo(f"  search index built in {time.monotonic() - started:.0f} s")


def _after_load(connection, echo) -> None:
    if connection.dialect.name == "postgresql":
        # Explicit ids were written: move every sequence past them.
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
        connection.commit()
        # VACUUM (outside a transaction) marks the fresh pages all-visible:
        # counts and searches then read the indexes alone, not the tables
        # (180 ms against 90 ms to count a million customers).
        with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM ANALYZE"))
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the shop, its team and its groups (a handful of rows, through the ORM) ----

def _build_staff(seed: int) -> dict:
    from blueprints.auth.service import ensure_default_sets
    from core.passwords import hash_password

    settings = ShopSettings.get()
    settings.name, settings.currency, settings.phone_region = SHOP_NAME, "EUR", REGION
    settings.earn_rate, settings.reward_validity_days = EARN_RATE, REWARD_VALIDITY_DAYS
    locations = [Location(name=name, address=address) for name, address in LOCATIONS]
    db.session.add_all(locations)
    sets = ensure_default_sets()
    password_hash = hash_password(PASSWORD)
    employees = []
    for email, name, set_name, where in EMPLOYEES:
        employee = Employee(email=email, name=name, password_hash=password_hash,
                            permission_set=sets[set_name], language="fr",
                            created_at=utcnow() - timedelta(days=HISTORY_DAYS + 30))
        employee.locations = [locations[i] for i in where]
        employees.append(employee)
    db.session.add_all(employees)
    groups = [Group(name=name) for name in GROUPS]
    db.session.add_all(groups)
    db.session.commit()
    owner, manager, cashier = (e.id for e in employees)
    bastille, croix_rousse = (loc.id for loc in locations)
    return {
        "owner": owner, "manager": manager, "cashier": cashier,
        "locations": (bastille, croix_rousse),
        # Who rings up a sale at each location, and how often.
        "tills": {bastille: (cashier, cashier, cashier, owner, manager),
                  croix_rousse: (manager, manager, manager, owner, owner)},
        "groups": {g.name: g.id for g in groups},
    }


# --- generation ------------------------------------------------------------

class _Weighted:
    """rng-driven weighted choice with a precomputed cumulative table."""

    def __init__(self, pairs):
        self.values = [value for value, _ in pairs]
        self.cumulative = []
        total = 0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _valid_prefixes(candidates, country_code: str) -> list[str]:
    """Three-digit national prefixes that phones.normalise accepts for this
    country (so the generated numbers are valid ones; each stored value still
    comes from make_phone)."""
    from core.phones import normalise
    return [str(p) for p in candidates
            if (normalise(f"0{p}123456", REGION) or "").startswith(country_code)]


def _spaced(national: str) -> str:
    return " ".join(national[i:i + 2] for i in range(0, 10, 2))


# How a French number is typed: "06 12 34 56 78", "0612345678", "+33 6 12 34 56 78"...
PHONE_FORMATS = _Weighted((
    (_spaced, 35),
    (lambda n: n, 25),
    (lambda n: "+33 " + n[1] + " " + " ".join(n[i:i + 2] for i in range(2, 10, 2)), 12),
    (lambda n: ".".join(n[i:i + 2] for i in range(0, 10, 2)), 10),
    (lambda n: "-".join(n[i:i + 2] for i in range(0, 10, 2)), 3),
    (lambda n: "+33" + n[1:], 5),
    (lambda n: "0033 " + n[1] + " " + " ".join(n[i:i + 2] for i in range(2, 10, 2)), 2),
    (lambda n: n[:4] + " " + n[4:7] + " " + n[7:], 3),
))
OVERSEAS_FORMATS = (lambda n: n[:4] + " " + " ".join(n[i:i + 2] for i in range(4, 10, 2)), lambda n: n)


def _foreign_number(rng) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"+44 7{rng.choice('1234579')}{rng.randint(10, 99)} {rng.randint(100000, 999999)}"
    if kind == 1:
        return f"+1 {rng.choice(('415', '212', '617', '312'))} {rng.randint(201, 989)} {rng.randint(1000, 9999)}"
    if kind == 2:
        return f"+1 {rng.choice(('514', '438', '418'))} {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"
    if kind == 3:
        return f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if kind == 4:
        return f"+41 7{rng.choice('6789')} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return f"+49 1{rng.choice(('51', '60', '70', '76'))} {rng.randint(1000000, 9999999)}"


class _Generator:
    """Generates the customers of one chunk with everything that hangs off them."""

    def __init__(self, rng: random.Random, seed: int, now: datetime, staff: dict,
                 customer_count: int, sale_count: int):
        from blueprints.customers.service import make_phone
        from blueprints.sales.cards import card_match_key
        from blueprints.sales.invoices import invoice_number

        self.rng, self.now, self.staff = rng, now, staff
        self.customer_count, self.sale_count = customer_count, sale_count
        # The services' own functions, so stored values are exactly theirs.
        self.make_phone, self.card_match_key, self.invoice_number = make_phone, card_match_key, invoice_number
        self.history_start = now - timedelta(days=HISTORY_DAYS)
        self.import_day = now - timedelta(days=600)  # the day the shop switched systems
        self.ids = {"phone": 0, "sale": 0, "item": 0, "points": 0, "reward": 0, "invoice": 0}
        self.emails_seen: set[int] = set()
        self.rewards_made = 0
        # Every number is unique: a bijection of (customer, slot) onto the prefixes x 10^6.
        self.mobile_prefixes = _valid_prefixes(range(600, 800), "+33")
        self.landline_prefixes = _valid_prefixes([*range(140, 150), *range(430, 480), *range(950, 990)], "+33")
        self.overseas_prefixes = _valid_prefixes((690, 692, 693, 694, 696), "+")
        self.offset = seed * 7919
        self.customer_sales = round(sale_count * (1 - ANONYMOUS_SHARE)) if customer_count else 0

        self.first_fr = _Weighted([(name, 3) for name in data.FIRST_NAMES_FR])
        self.first_intl = _Weighted([(name, 1) for name in data.FIRST_NAMES_INTL])
        self.accented_first = [n for n in data.FIRST_NAMES_FR if anyascii(n) != n]
        self.domains = _Weighted(data.EMAIL_DOMAINS)
        self.catalogue = _Weighted([((name, price, fold(name), most), weight)
                                    for name, price, weight, most in data.CATALOGUE])
        self.item_counts = _Weighted(((1, 40), (2, 30), (3, 20), (4, 10)))
        self.brands = _Weighted((("cb", 45), ("visa", 30), ("mastercard", 20), ("amex", 5)))
        self.profiles = _Weighted((("standard", 91), ("business", 4), ("vip", 4), ("staff", 1)))
        self.origins = _Weighted((("manual", 40), ("import", 25), ("card", 12), ("marketing", 8),
                                  ("loyalty", 15)))

    # -- small pieces --

    def _unique(self, k: int, prefixes: list[str]) -> str:
        space = len(prefixes) * 1_000_000
        u = (k * 48271 + self.offset) % space
        return f"0{prefixes[u // 1_000_000]}{u % 1_000_000:06d}"

    def _moment(self, start: datetime, end: datetime) -> datetime:
        """A moment between start and end, during opening hours when possible."""
        span = (end - start).total_seconds()
        moment = start + timedelta(seconds=self.rng.random() * span)
        opening = moment.replace(hour=self.rng.randint(6, 17), minute=self.rng.randrange(60),
                                 second=self.rng.randrange(60), microsecond=0)
        return opening if start <= opening <= end else moment.replace(microsecond=0)

    def _name(self):
        rng = self.rng
        first = self.first_fr.pick(rng) if rng.random() < 0.8 else self.first_intl.pick(rng)
        roll = rng.random()
        if roll < 0.78:
            last = rng.choice(data.LAST_NAMES_FR)
        elif roll < 0.95:
            last = rng.choice(data.LAST_NAMES_INTL)
        else:
            last = f"{rng.choice(data.LAST_NAMES_FR)}-{rng.choice(data.LAST_NAMES_FR)}"
        roll = rng.random()
        if roll < 0.01:
            return first, None  # a regular known by first name only
        if roll < 0.015:
            return None, last
        return first, last

    def _email(self, first, last, profile) -> str:
        rng = self.rng
        f = fold(first).replace(" ", "-") or "contact"
        l = fold(last).replace(" ", "") or "client"
        style = rng.random()
        if style < 0.35:
            local = f"{f}.{l}"
        elif style < 0.5:
            local = f"{f}{l}"
        elif style < 0.62:
            local = f"{f[0]}{l}"
        elif style < 0.8:
            local = f"{f}.{l}{rng.randint(1, 99)}"
        elif style < 0.9:
            local = f"{l}.{f}"
        else:
            local = f"{f}_{l}{rng.randint(60, 2009)}"
        domain = f"{l}-conseil.fr" if profile == "business" and rng.random() < 0.6 else self.domains.pick(rng)
        email = f"{local}@{domain}"
        while _digest(email) in self.emails_seen:
            email = f"{local}{rng.randint(2, 9999)}@{domain}"
        self.emails_seen.add(_digest(email))
        if rng.random() < 0.05:  # typed with capitals
            email = email[0].upper() + email[1:]
        return email

    def _phone_row(self, customer_id: int, raw: str, label: str, created_at: datetime,
                   linked: bool = True, unlinked_at: datetime | None = None) -> dict:
        phone = self.make_phone(raw, REGION, label)
        self.ids["phone"] += 1
        return {"id": self.ids["phone"], "customer_id": customer_id, "raw": phone.raw, "e164": phone.e164,
                "display": phone.display,
                "digits": phone.digits, "label": phone.label, "linked": linked,
                "unlinked_at": unlinked_at, "created_at": created_at}

    def _phones(self, cid: int, created_at: datetime, force: bool) -> tuple[list[dict], str | None]:
        """The customer's numbers and, for a duplicate to retype, the first national number."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12 and not force:
            return [], None
        rows, national, label = [], None, "mobile"
        if roll < 0.76 or force:
            national = self._unique(cid * 4, self.mobile_prefixes)
            raw = PHONE_FORMATS.pick(rng)(national)
        elif roll < 0.86:
            national = self._unique(cid * 4, self.landline_prefixes)
            raw = PHONE_FORMATS.pick(rng)(national)
            label = "home"
        elif roll < 0.9:
            national = self._unique(cid, self.overseas_prefixes)
            raw = rng.choice(OVERSEAS_FORMATS)(national)
        elif roll < 0.99:
            raw = _foreign_number(rng)
        else:
            raw = _spaced(self._unique(cid * 4, self.mobile_prefixes))[:11]  # typed short: invalid
        rows.append(self._phone_row(cid, raw, label, created_at))
        if rng.random() < 0.08:  # a second number
            second = self._unique(cid * 4 + 1, self.mobile_prefixes if rng.random() < 0.5 else self.landline_prefixes)
            rows.append(self._phone_row(cid, PHONE_FORMATS.pick(rng)(second), rng.choice(("work", "home")),
                                        created_at))
        if rng.random() < 0.04:  # an old number, unlinked (it no longer finds the customer)
            old = self._unique(cid * 4 + 2, self.mobile_prefixes)
            rows.append(self._phone_row(cid, PHONE_FORMATS.pick(rng)(old), "mobile", created_at, linked=False,
                                        unlinked_at=self._moment(created_at, self.now)))
        return rows, national

    def _address(self, rng) -> dict:
        where = rng.random()
        if where < 0.55:
            street, (postal, city) = rng.choice(data.PARIS_STREETS), rng.choice(data.PARIS_CITIES)
            country, home = "FR", 0
        elif where < 0.9:
            street, (postal, city) = rng.choice(data.LYON_STREETS), rng.choice(data.LYON_CITIES)
            country, home = "FR", 1
        elif where < 0.97:
            street, postal, city = rng.choice(data.OTHER_FR)
            country, home = "FR", None
        else:
            line1, postal, city, country = rng.choice(data.ABROAD)
            return {"address_line1": line1, "address_line2": None, "postal_code": postal, "city": city,
                    "country": country, "_home": None}
        number = rng.randint(1, 180)
        suffix = " bis" if rng.random() < 0.04 else ""
        return {"address_line1": f"{number}{suffix} {street}",
                "address_line2": rng.choice(data.ADDRESS_LINE2) if rng.random() < 0.15 else None,
                "postal_code": postal, "city": city, "country": country, "_home": home}

    # -- one customer --

    def _customer(self, cid: int, original: dict | None) -> dict:
        """The customer row (with private "_" keys the chunk uses, removed before insert)."""
        rng = self.rng
        now = self.now
        duplicate_kind = (cid // DUPLICATE_EVERY) % 3 if original else None
        will_be_copied = (cid + 1) % DUPLICATE_EVERY == 0 and cid + 1 <= self.customer_count
        origin = self.origins.pick(rng)
        if origin == "import":
            created_at = self.import_day + timedelta(seconds=cid % 86400 // 4)
        else:
            created_at = now - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
        profile = self.profiles.pick(rng)

        if original is None:
            first, last = self._name()
            if will_be_copied and (cid + 1) // DUPLICATE_EVERY % 3 == 2:
                first = rng.choice(self.accented_first)  # so the copy without accents differs
                last = last or rng.choice(data.LAST_NAMES_FR)
            has_email = rng.random() < 0.8 or will_be_copied
            email = self._email(first, last, profile) if has_email else None
            phones, national = self._phones(cid, created_at, force=will_be_copied)
        else:
            first, last = original["first_name"], original["last_name"]
            email, phones, national = None, [], None
            if duplicate_kind == 0:  # same email, typed with other capitals
                email = original["email"].swapcase() if rng.random() < 0.5 else original["email"].upper()
            elif duplicate_kind == 1:  # the same number typed another way
                national = original["_national"]
                raw = _spaced(national) if original["_phone_raw"] != _spaced(national) else national
                phones = [self._phone_row(cid, raw, "mobile", created_at)]
            else:  # the same name without accents (and no contact details)
                first, last = anyascii(first or "") or None, anyascii(last or "") or None
            origin = rng.choice(("import", "card", "manual"))
        address = self._address(rng) if rng.random() < 0.65 else {
            "address_line1": None, "address_line2": None, "postal_code": None, "city": None,
            "country": None, "_home": None}
        home = address.pop("_home")
        if home is None:
            home = 0 if rng.random() < 0.6 else 1

        keys = SimpleNamespace(first_name=first, last_name=last, email=email)
        Customer.refresh_keys(keys)
        discount = 0
        if profile == "staff":
            discount = rng.choice((20, 25, 50))
        elif profile == "vip":
            discount = rng.choice((10, 15))
        elif profile == "business":
            discount = rng.choice((0, 5, 10))
        elif rng.random() < 0.03:
            discount = 5
        birthday = None
        if rng.random() < 0.45:
            birthday = date(now.year - rng.randint(16, 88), rng.randint(1, 12), rng.randint(1, 28))
        tax_id = None
        if profile == "business" or rng.random() < 0.004:
            if rng.random() < 0.7:  # intra-EU VAT number, or a SIRET
                tax_id = f"FR{rng.randint(10, 99)}{rng.randint(100000000, 999999999)}"
            else:
                tax_id = f"{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} 000{rng.randint(10, 99)}"
        consent = email is not None and rng.random() < 0.35
        archived = rng.random() < 0.03
        row = {
            "id": cid, "first_name": first, "last_name": last, "email": email, **address,
            "birthday": birthday,
            "comments": rng.choice(data.COMMENTS) if rng.random() < 0.08 else None,
            "tax_id": tax_id, "account_profile": profile, "default_discount": discount,
            # Consents (models/consent.py), written by chunk() as history and state.
            "_e_receipts": email is not None and rng.random() < 0.55,
            "_email_marketing": consent, "origin": origin,
            "archived": archived, "archived_at": None, "anonymised": False, "anonymised_at": None,
            "merged_into_id": None,
            "loyalty_member": origin == "loyalty" or rng.random() < 0.53, "loyalty_enrolled_at": None,
            "points_balance": 0, "visit_count": 0, "total_spent_cents": 0,
            "first_visit_at": None, "last_visit_at": None,
            "sort_name": keys.sort_name,
            "email_key": keys.email_key, "name_key": keys.name_key, "card_match_key": None,
            "created_at": created_at, "updated_at": created_at, "version": 1,
            "_phones": phones, "_national": national, "_home": home,
            "_phone_raw": phones[0]["raw"] if phones else None,
        }
        return row

    # -- a chunk of customers with their sales --

    def chunk(self, low: int, high: int):
        rng = self.rng
        from blueprints.customers.consent import (
            QUESTIONS,  # local: the blueprint is not loaded by models
        )
        customers, phones, memberships, consent_events = [], [], [], []
        previous = None
        for cid in range(low, high):
            copy_of = previous if cid % DUPLICATE_EVERY == 0 and previous is not None else None
            row = self._customer(cid, copy_of)
            customers.append(row)
            previous = row

        # Sales: this chunk's share of the total, most of it spread over its customers.
        chunk_sales = (self.sale_count * (high - 1) // max(self.customer_count, 1)
                       - self.sale_count * (low - 1) // max(self.customer_count, 1))
        chunk_customer_sales = (self.customer_sales * (high - 1) // max(self.customer_count, 1)
                                - self.customer_sales * (low - 1) // max(self.customer_count, 1))
        weights = [0.0 if rng.random() < 0.08 else rng.expovariate(1.0) for _ in customers]
        counts = _apportion(chunk_customer_sales, weights)

        sales, items, entries, rewards, invoices = [], [], [], [], []
        for row, count in zip(customers, counts):
            self._history(row, count, sales, items, entries, rewards, invoices)
            phones.extend(row.pop("_phones"))
            for key in ("_national", "_home", "_phone_raw"):
                row.pop(key)
            memberships.extend(self._groups(row))
            for purpose in ("e_receipts", "email_marketing"):
                if row.pop(f"_{purpose}"):
                    consent_events.append({"customer_id": row["id"], "purpose": purpose, "state": "yes",
                                           "method": "counter", "recorded_at": row["created_at"],
                                           "employee_id": None, "text_shown": str(QUESTIONS[purpose])})
        for _ in range(chunk_sales - sum(counts)):
            self._anonymous_sale(sales, items)
        # The search documents, as search_index.reindex would write them.
        linked, unverified = {}, {}
        for phone in phones:
            if phone["linked"] and phone["e164"]:
                linked.setdefault(phone["customer_id"], []).append(phone["e164"])
            elif phone["linked"]:
                unverified.setdefault(phone["customer_id"], []).append(phone["digits"])
        for row in customers:
            row.update(search_index.documents(row["first_name"], row["last_name"], row["email"],
                                              linked.get(row["id"], ()), row.get("company"),
                                              unverified.get(row["id"], ())))
        return [(Customer.__table__, customers), (Phone.__table__, phones),
                (customer_groups, memberships), (Sale.__table__, sales), (SaleItem.__table__, items),
                (PointsEntry.__table__, entries), (Reward.__table__, rewards), (Invoice.__table__, invoices),
                (ConsentEvent.__table__, consent_events),
                (CustomerConsent.__table__, [{"customer_id": e["customer_id"], "purpose": e["purpose"],
                                              "state": "yes", "changed_at": e["recorded_at"], "event_id": None}
                                             for e in consent_events])]

    def _groups(self, row) -> list[dict]:
        rng, groups = self.rng, self.staff["groups"]
        chosen = []
        if row["account_profile"] == "vip" or (row["total_spent_cents"] > 40000 and rng.random() < 0.3):
            chosen.append("VIP")
        if row["postal_code"] in ("75011", "69004") and rng.random() < 0.5:
            chosen.append("Voisins")
        if row["account_profile"] == "business":
            chosen.append("Entreprises")
        if row["birthday"] and self.now.year - row["birthday"].year <= 25 and rng.random() < 0.4:
            chosen.append("Étudiants")
        if row["_email_marketing"] and rng.random() < 0.7:
            chosen.append("Newsletter")
        return [{"customer_id": row["id"], "group_id": groups[name]} for name in chosen]

    def _card(self, first, last):
        rng = self.rng
        name = anyascii(" ".join(part for part in (first, last) if part)).upper()
        if rng.random() < 0.3 and first and last:
            name = f"{anyascii(first)[0].upper()} {anyascii(last).upper()}"
        return self.brands.pick(rng), f"{rng.randrange(10000):04d}", name[:120]

    def _basket(self, sale_id: int, items: list) -> int:
        rng = self.rng
        wanted = self.item_counts.pick(rng)
        chosen = set()
        total = 0
        for _ in range(wanted * 2):
            if len(chosen) == wanted:
                break
            name, price, key, most = self.catalogue.pick(rng)
            if name in chosen:
                continue
            chosen.add(name)
            quantity = 1 if most == 1 or rng.random() < 0.6 else rng.randint(2, most)
            self.ids["item"] += 1
            items.append({"id": self.ids["item"], "sale_id": sale_id, "name": name, "name_key": key,
                          "quantity": quantity, "unit_price_cents": price})
            total += quantity * price
        return total

    def _new_sale(self, created_at, home, customer_id, link, items) -> dict:
        rng = self.rng
        locations = self.staff["locations"]
        location = locations[home] if rng.random() < 0.9 else locations[1 - home]
        self.ids["sale"] += 1
        sale_id = self.ids["sale"]
        roll = rng.random()
        status = "refunded" if roll < 0.025 else "voided" if roll < 0.035 else "completed"
        return {"id": sale_id, "location_id": location, "employee_id": rng.choice(self.staff["tills"][location]),
                "customer_id": customer_id, "customer_link": link, "created_at": created_at,
                "total_cents": self._basket(sale_id, items), "status": status, "payment_method": "cash",
                "card_brand": None, "card_last4": None, "card_holder_name": None, "points_earned": 0}

    def _anonymous_sale(self, sales, items) -> None:
        rng = self.rng
        sale = self._new_sale(self._moment(self.history_start, self.now), rng.randrange(2), None, None, items)
        if rng.random() < 0.55:
            first, last = self._name()
            sale["payment_method"] = "card"
            sale["card_brand"], sale["card_last4"], sale["card_holder_name"] = self._card(first, last)
        sales.append(sale)

    def _history(self, row, count, sales, items, entries, rewards, invoices) -> None:
        """The customer's sales, points, rewards and invoices; fills the summary columns."""
        rng, now, staff = self.rng, self.now, self.staff
        cid = row["id"]
        if row["origin"] == "card" and count == 0:
            row["origin"] = "manual"
        start = max(row["created_at"], self.history_start)
        moments = sorted(self._moment(start, now) for _ in range(count))
        if row["origin"] == "card" and moments:
            row["created_at"] = moments[0]  # the card sale created the profile
        card = self._card(row["first_name"], row["last_name"])
        member = row["loyalty_member"]
        enrolled = None
        if member:
            enrolled = row["created_at"] if row["origin"] == "loyalty" else min(
                now, row["created_at"] + timedelta(days=rng.randint(0, 90)))
            row["loyalty_enrolled_at"] = enrolled
        ledger = []  # (created_at, delta, kind, reason, employee_id, sale_id)
        if member and rng.random() < 0.4:
            ledger.append((enrolled, 20, "add", "Bienvenue dans le programme", staff["cashier"], None))
        visits, spent, first_visit, last_visit = 0, 0, None, None
        card_rate = 0.85 if row["origin"] == "card" else 0.65
        for index, moment in enumerate(moments):
            sale = self._new_sale(moment, row["_home"], cid, "chosen", items)
            card_created = index == 0 and row["origin"] == "card"
            invoiced = sale["status"] == "completed" and not card_created and self._wants_invoice(row)
            if invoiced:
                sale["payment_method"] = "invoice"
            elif card_created or rng.random() < card_rate:
                sale["payment_method"] = "card"
                own = rng.random() < 0.8 or row["origin"] == "card"
                sale["card_brand"], sale["card_last4"], sale["card_holder_name"] = (
                    card if own else self._card(row["first_name"], row["last_name"]))
                if row["origin"] == "card" and own:
                    sale["customer_link"] = "card_created" if card_created else "card_matched"
            if card_created:
                row["card_match_key"] = self.card_match_key(
                    sale["card_holder_name"], sale["card_brand"], sale["card_last4"])
            sales.append(sale)
            if member and moment >= enrolled:
                points = points_for_amount(sale["total_cents"], EARN_RATE)
                if points > 0:
                    ledger.append((moment, points, "earn", None, sale["employee_id"], sale["id"]))
                    if sale["status"] == "completed":
                        sale["points_earned"] = points
                    else:  # refunded or voided later: the points go back (reverse_for_sale)
                        later = min(now, moment + timedelta(minutes=5) if sale["status"] == "voided"
                                    else moment + timedelta(days=rng.randint(1, 10)))
                        ledger.append((later, -points, "refund", None, staff["manager"], sale["id"]))
            if sale["status"] == "completed":
                visits += 1
                spent += sale["total_cents"]
                first_visit = first_visit or moment
                last_visit = moment
            if invoiced:
                self._invoice(row, sale, invoices)
        row.update(visit_count=visits, total_spent_cents=spent, first_visit_at=first_visit,
                   last_visit_at=last_visit)

        if member and ledger and rng.random() < 0.3:
            self._redeem(ledger)
        ledger.sort(key=lambda entry: entry[0])
        balance = 0
        for created_at, delta, kind, reason, employee_id, sale_id in ledger:
            self.ids["points"] += 1
            balance += delta
            entries.append({"id": self.ids["points"], "customer_id": cid, "delta": delta, "kind": kind,
                            "reason": reason, "employee_id": employee_id, "sale_id": sale_id,
                            "created_at": created_at})
        row["points_balance"] = balance
        if member and (visits >= 3 or self.rewards_made < 3) and (rng.random() < 0.3 or self.rewards_made < 3):
            self._rewards(cid, enrolled, rewards)
        latest = max(filter(None, (row["created_at"], last_visit, enrolled)))
        if row["archived"]:
            row["archived_at"] = min(now, latest + timedelta(days=rng.randint(1, 120)))
            latest = row["archived_at"]
        row["updated_at"] = latest

    def _redeem(self, ledger) -> None:
        """Redeem some points at a moment when the balance, then and afterwards, allows it."""
        rng = self.rng
        ledger.sort(key=lambda entry: entry[0])
        running, balances = 0, []
        for entry in ledger:
            running += entry[1]
            balances.append(running)
        at = rng.randrange(len(ledger))
        allowed = min(balances[at:])
        amount = (allowed // 50) * 50
        if amount >= 50:
            amount = rng.randrange(50, amount + 1, 50)
            moment = ledger[at][0] + timedelta(minutes=rng.randint(1, 600))
            moment = min(moment, self.now, ledger[at + 1][0] if at + 1 < len(ledger) else self.now)
            ledger.append((moment, -amount, "redeem", "Utilisés en caisse", self.staff["cashier"], None))

    def _rewards(self, cid: int, enrolled: datetime, rewards: list) -> None:
        rng, now = self.rng, self.now
        for _ in range(rng.randint(1, 3)):
            forced = self.rewards_made if self.rewards_made < 3 else None
            self.rewards_made += 1
            if forced == 0:     # earned, still valid
                earned = now - timedelta(days=5)
            elif forced == 2:   # expired
                earned = now - timedelta(days=REWARD_VALIDITY_DAYS + 40)
            else:
                earned = self._moment(enrolled, now)
            expires = earned + timedelta(days=REWARD_VALIDITY_DAYS)
            claimed = None
            if forced == 1 or (forced is None and rng.random() < 0.45):
                claimed = earned + timedelta(seconds=rng.random() * (min(expires, now) - earned).total_seconds())
                claimed = claimed.replace(microsecond=0)
            self.ids["reward"] += 1
            rewards.append({"id": self.ids["reward"], "customer_id": cid, "name": rng.choice(data.REWARDS),
                            "earned_at": earned, "expires_at": expires, "claimed_at": claimed})

    def _wants_invoice(self, row) -> bool:
        """Businesses are invoiced often, others rarely (the first two always: one open, one paid)."""
        share = 0.35 if row["account_profile"] == "business" else 0.003
        return self.ids["invoice"] < 2 or self.rng.random() < share

    def _invoice(self, row, sale, invoices) -> None:
        rng, now = self.rng, self.now
        self.ids["invoice"] += 1
        invoice_id = self.ids["invoice"]
        issued = sale["created_at"]
        recent = (now - issued).days < 45
        if invoice_id <= 2:
            paid = invoice_id == 2
        else:
            paid = rng.random() < (0.3 if recent else 0.95)
        paid_at = min(now, issued + timedelta(days=rng.randint(0, 30), hours=rng.randint(1, 8))) if paid else None
        number = self.invoice_number(SimpleNamespace(id=invoice_id, issued_at=issued))
        invoices.append({"id": invoice_id, "number": number, "sale_id": sale["id"], "customer_id": row["id"],
                         "amount_cents": sale["total_cents"],
                         "status": "paid" if paid else "open", "issued_at": issued, "paid_at": paid_at,
                         "paid_by_id": rng.choice((self.staff["owner"], self.staff["manager"])) if paid else None})


def _digest(value: str) -> int:
    """A 64-bit digest: a million emails in a set of ints, not of strings."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split total into whole numbers proportional to weights (largest remainders)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    shares = [total * w / weight_sum for w in weights]
    counts = [int(s) for s in shares]
    missing = total - sum(counts)
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[:missing]:
        counts[i] += 1
    return counts


def points_for_amount(total_cents: int, rate: Decimal) -> int:
    """blueprints.loyalty.points.points_for_amount with the rate passed in
    (that one reads the settings on every call)."""
    return int((Decimal(max(total_cents, 0)) / 100 * rate).to_integral_value(rounding=ROUND_DOWN))
