"""The data-quality inbox (issue 15): what in the directory needs a human.

Kinds of item, each with what, why, a one-tap fix where there is a safe one,
and "ignorer" (remembered in quality_ignored):
- review: an import kept values it could not read (needs_review);
- phone: a number kept as typed, unverified (Phone.e164 NULL);
- birthday: an impossible date (in the future, before 1900);
- email: an address that cannot be one;
- email_typo: a likely typo of a common domain (gmial.com): the fix is offered;
- card_only: a profile a card sale created, with no email and no phone;
- name: a name in capitals or with stray spaces: the tidy form is offered;
- duplicate: likely duplicates (merge_candidates.find_duplicates), to the merge preview.

Permission-aware: a kind about a field is only for who may view that field
(an employee who cannot see emails is not shown email problems), and a fix
needs the right to edit it. Every rule is read through an index that holds
only the flagged rows (models/quality_rules.py), a page at a time, so the
inbox costs the same at a million customers as at a thousand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    ARRAY,
    Text,
    and_,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import selectinload

from extensions import db
from models import Customer, Phone, QualityIgnored
from models import quality_rules as rules
from models.base import utcnow
from core.permissions import can, field_level

KINDS = ("review", "phone", "birthday", "email", "email_typo", "card_only", "name", "duplicate")
# The badge stops counting here ("99+"): a few index entries per kind, never a scan.
BADGE_CAP = 99
# Duplicate groups read per kind for the inbox (the Doublons page pages through them all).
# Finding them reads the key's index until that many shared keys turn up: at a
# million customers shared phones are 1 in 8,000 keys, so 8 groups took 60 ms.
DUPLICATE_GROUPS = 4
OLDEST_BIRTHDAY = date(1900, 1, 1)


def visible_kinds(employee) -> list[str]:
    """The kinds this employee may see: the inbox is for who may edit
    customers (Clients – Base), each field's kinds for who may view it."""
    if not can(employee, "customers.basic"):
        return []
    email = field_level(employee, "email") in ("view", "edit")
    phone = field_level(employee, "phone") in ("view", "edit")
    kinds = {"review", "birthday", "name"}
    if email:
        kinds |= {"email", "email_typo"}
    if phone:
        kinds.add("phone")
    if email and phone:
        kinds.add("card_only")  # "no contact" is a statement about both fields
    if can(employee, "customers.merge"):
        from blueprints.customers.merge_candidates import duplicate_kinds
        if duplicate_kinds(employee):
            kinds.add("duplicate")
    return [kind for kind in KINDS if kind in kinds]


def _not_ignored(kind: str, customer_id, subject_id=0):
    return ~exists().where(QualityIgnored.kind == kind, QualityIgnored.customer_id == customer_id,
                           QualityIgnored.subject_id == subject_id)


def _email_domain():
    return literal_column(rules.EMAIL_DOMAIN[db.engine.dialect.name if db.engine.dialect.name in rules.EMAIL_DOMAIN
                                             else "sqlite"])


def _sqlite_indexed_by(compiler, table, hint):
    """SQLAlchemy's SQLite compiler prints no table hint; SQLite's one hint
    is INDEXED BY, which the base compiler then puts after the table name."""
    return hint if hint and hint.startswith(("INDEXED BY ", "NOT INDEXED")) else None


SQLiteCompiler.get_from_hint_text = _sqlite_indexed_by


def _through(stmt, table, index: str):
    """SQLite's planner, without statistics, would rather walk an (archived,
    ...) index of the whole table: name the rule's own index (an error, not a
    slow page, if it ever could not be used). PostgreSQL picks it by itself."""
    return stmt.with_hint(table, f"INDEXED BY {index}", "sqlite")


def _rows(kind: str, today: date):
    """SELECT (customer id, subject id) of the open items of a kind, by customer id."""
    if kind == "phone":
        stmt = (select(Phone.customer_id, Phone.id)
                .join(Customer, Customer.id == Phone.customer_id)
                .where(text(rules.UNVERIFIED_PHONE), Customer.archived.is_(False),
                       _not_ignored(kind, Phone.customer_id, Phone.id))
                .order_by(Phone.customer_id, Phone.id))
        # The flagged phones lead; each customer is then one rowid lookup.
        stmt = _through(stmt, Phone, "ix_quality_unverified_phone").with_hint(Customer, "NOT INDEXED", "sqlite")
        return stmt, Phone.customer_id
    subject = literal(0)
    base = select(Customer.id, subject)
    if kind in ("review", "name", "email", "card_only"):
        _table, index, predicate = rules.PARTIAL_INDEXES[kind]
        stmt = _through(base.where(text(predicate)), Customer, index)
        if kind == "card_only":
            stmt = stmt.where(~exists().where(Phone.customer_id == Customer.id, Phone.linked.is_(True)))
    elif kind == "birthday":
        # Two ranges of ix_customers_birthday, each read on its own (an OR of
        # the two would walk the table); archived ones sorted out per row.
        ranges = union_all(select(Customer.id).where(Customer.birthday > today),
                           select(Customer.id).where(Customer.birthday < OLDEST_BIRTHDAY))
        stmt = base.where(Customer.id.in_(select(ranges.subquery().c.id)), Customer.archived.is_(False)) \
            .with_hint(Customer, "NOT INDEXED", "sqlite")  # the ids from the ranges, then rowid lookups
    elif kind == "email_typo":
        from blueprints.customers.email_typos import typo_map
        if db.engine.dialect.name == "postgresql":
            return _typo_rows_postgresql(sorted(typo_map()))
        stmt = _through(base.where(_email_domain().in_(sorted(typo_map())), Customer.archived.is_(False)),
                        Customer, "ix_customers_email_domain")
    else:
        raise ValueError(kind)
    return stmt.where(_not_ignored(kind, Customer.id)).order_by(Customer.id), Customer.id


def _typo_rows_postgresql(domains: list[str]):
    """The email_typo rows on PostgreSQL: one probe of ix_customers_email_domain
    per typo domain (a LATERAL join over the list). Given the hundreds of
    domains as one IN list, the planner expects thousands of matches and walks
    the million rows to find none: 300 ms on every page, through the badge."""
    typo = func.unnest(literal(domains, ARRAY(Text))).table_valued("domain").render_derived(name="typo")
    hit = (select(Customer.id.label("id"))
           .where(_email_domain() == typo.c.domain, Customer.archived.is_(False),
                  _not_ignored("email_typo", Customer.id))
           .lateral("hit"))
    return select(hit.c.id, literal(0)).select_from(typo).join(hit, true()).order_by(hit.c.id), hit.c.id


def _count(kind: str, today: date, cap: int) -> int:
    if kind == "duplicate":
        return 0  # no cheap count: the inbox shows the first pairs and links to Doublons
    stmt, _key = _rows(kind, today)
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).limit(cap).subquery())) or 0


def counts(employee, cap: int = BADGE_CAP, today: date | None = None) -> dict[str, int]:
    """{kind: open items, counted up to `cap`} for the kinds this employee sees."""
    today = today or utcnow().date()
    return {kind: _count(kind, today, cap) for kind in visible_kinds(employee) if kind != "duplicate"}


def badge(employee) -> int:
    """The navigation's count, capped: cheap enough for every page."""
    return min(BADGE_CAP, sum(counts(employee, BADGE_CAP).values()))


# --- the items ---------------------------------------------------------------

@dataclass
class Item:
    kind: str
    customer: Customer
    subject_id: int = 0
    detail: str | None = None  # the value at fault, as this employee may see it
    fix: str | None = None  # the corrected value a tap applies
    extra: dict = field(default_factory=dict)


@dataclass
class Page:
    kind: str
    items: list[Item]
    next_after: int | None  # the customer id the next page starts after


def page(employee, kind: str, *, after: int = 0, limit: int = 25, region: str = "FR",
         today: date | None = None) -> Page:
    """One page of a kind's open items (customer id > after)."""
    if kind not in visible_kinds(employee):
        raise PermissionError(kind)
    if kind == "duplicate":
        return _duplicate_page(employee, after, limit)
    today = today or utcnow().date()
    stmt, key = _rows(kind, today)
    found = db.session.execute(stmt.where(key > after).limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]
    customers = {c.id: c for c in db.session.scalars(
        select(Customer).where(Customer.id.in_({cid for cid, _s in found}))
        .options(selectinload(Customer.phones), selectinload(Customer.groups)))}
    items = [_describe(kind, customers[cid], subject) for cid, subject in found]
    return Page(kind, items, found[-1][0] if more and found else None)


def _describe(kind: str, customer: Customer, subject: int) -> Item:
    from blueprints.customers.email_typos import suggestion
    item = Item(kind, customer, subject)
    if kind == "name":
        item.fix = " / ".join(filter(None, (tidy_name(customer.first_name), tidy_name(customer.last_name))))
    elif kind == "email_typo":
        item.fix = suggestion(customer.email)
    elif kind == "phone":
        phone = next((p for p in customer.phones if p.id == subject), None)
        item.extra["phone"] = phone
    elif kind == "birthday":
        item.extra["birthday"] = customer.birthday
    return item


def _duplicate_page(employee, after: int, limit: int) -> Page:
    """The first pairs of each duplicate kind this employee may see (the
    Doublons page has them all), without the pairs ignored here."""
    from blueprints.customers.merge_candidates import duplicate_kinds, find_duplicates
    items: list[Item] = []
    for dup_kind in duplicate_kinds(employee):
        groups, _next = find_duplicates(dup_kind, 0, per_page=DUPLICATE_GROUPS)
        pairs = [(first, other) for group in groups for first, other in group.pairs]
        ignored = _ignored_pairs([other.id for _f, other in pairs])
        for first, other in pairs:
            if (other.id, first.id) not in ignored and len(items) < limit:
                items.append(Item("duplicate", other, first.id, extra={"primary": first, "by": dup_kind}))
    return Page("duplicate", items, None)


def _ignored_pairs(customer_ids: list[int]) -> set[tuple[int, int]]:
    if not customer_ids:
        return set()
    return set(db.session.execute(select(QualityIgnored.customer_id, QualityIgnored.subject_id).where(
        QualityIgnored.kind == "duplicate", QualityIgnored.customer_id.in_(customer_ids))).all())


# --- tidying names -----------------------------------------------------------

_PARTICLES = {"de", "du", "des", "d'", "la", "le", "van", "von", "der", "den"}


def tidy_name(name: str | None) -> str | None:
    """"  JEAN-PIERRE " -> "Jean-Pierre", "DE LA FONTAINE" -> "de La Fontaine"?
    No: particles keep a capital when they start the name ("Le Goff"); only
    de/du/des/d' inside a name are lower-cased. Stray spaces go."""
    if name is None:
        return None
    words = name.split()
    if not words:
        return None
    shouting = name == name.upper() and name != name.lower()
    if not shouting:
        return " ".join(words)
    out = []
    for index, word in enumerate(words):
        lower = word.lower()
        if index > 0 and lower in ("de", "du", "des"):
            out.append(lower)
            continue
        out.append("-".join(_capitalise(part) for part in lower.split("-")))
    return " ".join(out)


def _capitalise(part: str) -> str:
    if "'" in part or "’" in part:  # d'artagnan -> d'Artagnan, o'brien -> O'Brien
        quote = "'" if "'" in part else "’"
        head, _q, tail = part.partition(quote)
        head = head if head == "d" else head.capitalize()
        return f"{head}{quote}{tail.capitalize()}"
    return part.capitalize()


# --- the counter's hint ------------------------------------------------------

HINT_KINDS = ("phone", "email", "email_typo", "card_only", "review")


def open_kinds(employee, customer_id: int, today: date | None = None) -> list[str]:
    """The kinds with an open item for one customer (one query): the sale
    screen's discreet hint ("Téléphone à vérifier")."""
    today = today or utcnow().date()
    kinds = [kind for kind in HINT_KINDS if kind in visible_kinds(employee)]
    if not kinds:
        return []
    parts = []
    for kind in kinds:
        stmt, key = _rows(kind, today)
        parts.append(stmt.where(key == customer_id).order_by(None).with_only_columns(literal(kind)).limit(1))
    found = {row[0] for row in db.session.execute(union_all(*[p.subquery().select() for p in parts]))}
    return [kind for kind in kinds if kind in found]


# --- acting on an item -------------------------------------------------------

def ignore(kind: str, customer_id: int, subject_id: int, *, employee_id: int | None) -> None:
    """"Ignorer": not shown again (audited with ids only). The caller commits."""
    from core.audit import record
    if db.session.get(QualityIgnored, (kind, customer_id, subject_id)) is None:
        db.session.add(QualityIgnored(kind=kind, customer_id=customer_id, subject_id=subject_id,
                                      employee_id=employee_id))
        record("quality_ignored", "customer", customer_id, employee_id=employee_id,
               details={"kind": kind})
    db.session.flush()


class NoFix(ValueError):
    """This item has no one-tap fix (any more): the row says so."""


def apply_fix(employee, kind: str, customer: Customer, *, region: str) -> list[str]:
    """The one-tap fix, through the profile's own editing service (the same
    version check, validation and audit as a save from the profile)."""
    from blueprints.customers import editing
    from blueprints.customers.email_typos import suggestion
    if kind == "review":
        return editing.mark_reviewed(customer)
    if kind == "name":
        first, last = tidy_name(customer.first_name), tidy_name(customer.last_name)
        if (first, last) == (customer.first_name, customer.last_name):
            raise NoFix(kind)
        birthday = customer.birthday_value
        return editing.update_details(customer, version=customer.version, first_name=first, last_name=last,
                                      birthday=birthday.iso() if birthday else None, tax_id=customer.tax_id)
    if kind == "email_typo":
        fixed = suggestion(customer.email)
        if fixed is None:
            raise NoFix(kind)
        editable = {"email"} if field_level(employee, "email", customer) == "edit" else set()
        return editing.update_contact(customer, version=customer.version, editable=editable, region=region,
                                      email=fixed)
    raise NoFix(kind)


FIXABLE = ("review", "name", "email_typo")


def fix_capability(kind: str) -> str:
    """What a one-tap fix needs beyond seeing the item."""
    return "customers.email.edit" if kind == "email_typo" else "customers.basic"


def still_open(kind: str, customer_id: int, subject_id: int = 0, today: date | None = None) -> bool:
    if kind == "duplicate":
        return True
    stmt, key = _rows(kind, today or utcnow().date())
    extra = [key == customer_id]
    if kind == "phone":
        extra.append(Phone.id == subject_id)
    return db.session.execute(stmt.where(and_(*extra)).limit(1)).first() is not None
