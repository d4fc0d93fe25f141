"""Merging duplicate customers (seed 000) and finding likely duplicates.

The rules, in the seed's order:
- the record chosen as primary keeps its details;
- an empty field of the primary is filled from the secondaries (the first
  secondary, in the order chosen, that has a value wins);
- where both have a value, the primary's stays;
- each secondary is archived (so it can be recovered) and linked to the primary
  (merged_into_id). The merge can be undone for UNDO_DAYS days (undo_merge.py
  keeps the snapshot it needs).

History moves to the primary so that the merged customer is whole: sales,
invoices, the points ledger (balances added up, the cached balance equal to the
ledger for every record involved), one-time rewards, groups (union), phone
numbers (without duplicates) and loyalty membership.

Refused: merging a customer into itself, into or from an anonymised (deleted)
customer, and into an archived primary (unarchive it first: a merge result
nobody sees in the list would be a trap). An archived secondary may be merged.

The postal address is one field here, not five: filling an empty street from
one record and keeping the primary's city would make an address that exists
nowhere. The caller commits (one transaction) or rolls back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from core import purchase_index
from core.audit import record
from blueprints.customers.service import CustomerError
from extensions import db
from models import Customer, Invoice, Phone, PointsEntry, Reward, Sale
from models.base import utcnow
from core.permissions import can, customer_view, searchable_fields

# At most this many secondaries in one merge: a merge is a careful act.
MAX_SECONDARIES = 10
ADDRESS_FIELDS = ("address_line1", "address_line2", "postal_code", "city", "country")


class MergeError(CustomerError):
    """The merge is refused; nothing was written."""


@dataclass(frozen=True)
class FieldRule:
    key: str
    label: object
    columns: tuple[str, ...]
    # Which permission decides whether an employee sees it: None (Customers – Basic),
    # "email", "address" (field levels) or "history" (customers.history.view).
    visibility: str | None = None


# The fields of the seed's rule, in the order the preview shows them.
FIELD_RULES: tuple[FieldRule, ...] = (
    FieldRule("first_name", _l("Prénom"), ("first_name",)),
    FieldRule("last_name", _l("Nom de famille"), ("last_name",)),
    FieldRule("company", _l("Société"), ("company",)),
    FieldRule("email", _l("Courriel"), ("email",), "email"),
    FieldRule("address", _l("Adresse postale"), ADDRESS_FIELDS, "address"),
    # With or without its year: the three columns move together.
    FieldRule("birthday", _l("Date de naissance"), ("birthday", "birthday_month", "birthday_day")),
    FieldRule("tax_id", _l("Identifiant fiscal"), ("tax_id",)),
    FieldRule("comments", _l("Commentaires"), ("comments",), "history"),
)
# Filled by the same rule but never shown: the card that finds this customer at a sale.
HIDDEN_FILLED = ("card_match_key",)


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _values(customer: Customer, rule: FieldRule) -> tuple:
    return tuple(getattr(customer, column) for column in rule.columns)


def _rule_empty(customer: Customer, rule: FieldRule) -> bool:
    return all(_is_empty(value) for value in _values(customer, rule))


@dataclass
class FieldOutcome:
    rule: FieldRule
    source_id: int | None  # the customer whose value the result takes; None: empty


@dataclass
class MergePlan:
    """What a merge would do, computed from the records without writing."""
    primary: Customer
    secondaries: list[Customer]
    fields: list[FieldOutcome]
    hidden_sources: dict[str, int]
    phones_moved: list[Phone]
    phones_dropped: list[Phone]
    groups_added: list
    points_total: int
    loyalty_member: bool
    sales_count: int
    invoices_count: int
    rewards_count: int

    @property
    def all_ids(self) -> list[int]:
        return [self.primary.id] + [s.id for s in self.secondaries]

    def customer(self, customer_id: int) -> Customer:
        return next(c for c in [self.primary, *self.secondaries] if c.id == customer_id)


def _phone_key(phone: Phone):
    return phone.e164 or ("raw", phone.digits or phone.raw)


def load_for_merge(primary_id: int, secondary_ids: list[int], lock: bool = False
                   ) -> tuple[Customer | None, list[Customer]]:
    """The primary and the secondaries in the order chosen (missing ones left out)."""
    ids = [primary_id, *secondary_ids]
    stmt = (select(Customer).where(Customer.id.in_(ids))
            .options(selectinload(Customer.phones), selectinload(Customer.groups)))
    if lock:
        stmt = stmt.with_for_update()  # PostgreSQL row locks; SQLite serialises writers anyway
    found = {c.id: c for c in db.session.scalars(stmt)}
    return found.get(primary_id), [found[i] for i in secondary_ids if i in found]


def clean_secondary_ids(primary_id: int, secondary_ids) -> list[int]:
    """Ids as chosen, without repeats; refuses the primary among them and an empty choice."""
    result: list[int] = []
    for raw in secondary_ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            continue
        if value not in result:
            result.append(value)
    if primary_id in result:
        raise MergeError(_("Un client ne peut pas être fusionné avec lui-même."), "secondary")
    if not result:
        raise MergeError(_("Cochez au moins un dossier client secondaire."), "secondary")
    if len(result) > MAX_SECONDARIES:
        raise MergeError(_("Fusionnez au plus %(max)s dossiers à la fois.", max=MAX_SECONDARIES), "secondary")
    return result


def check_mergeable(primary: Customer, secondaries: list[Customer]) -> None:
    if primary.anonymised:
        raise MergeError(_("Ce client a été supprimé : il ne peut pas recevoir de fusion."))
    if primary.archived:
        raise MergeError(_("Le dossier principal est archivé : désarchivez-le avant de fusionner."))
    for secondary in secondaries:
        if secondary.id == primary.id:
            raise MergeError(_("Un client ne peut pas être fusionné avec lui-même."), "secondary")
        if secondary.anonymised:
            raise MergeError(_("Un client supprimé ne peut pas être fusionné."), "secondary")
        if secondary.merged_into_id is not None:
            raise MergeError(_("Un de ces dossiers a déjà été fusionné dans un autre client."), "secondary")


def _count(model, customer_ids: list[int]) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.customer_id.in_(customer_ids))) or 0


def plan_merge(primary: Customer, secondaries: list[Customer]) -> MergePlan:
    """The field-by-field outcome and what moves, without writing anything."""
    check_mergeable(primary, secondaries)
    outcomes = []
    for rule in FIELD_RULES:
        source = primary.id if not _rule_empty(primary, rule) else next(
            (s.id for s in secondaries if not _rule_empty(s, rule)), None)
        outcomes.append(FieldOutcome(rule, source))
    hidden = {}
    for column in HIDDEN_FILLED:
        if _is_empty(getattr(primary, column)):
            source = next((s for s in secondaries if not _is_empty(getattr(s, column))), None)
            if source is not None:
                hidden[column] = source.id

    seen = {_phone_key(p) for p in primary.phones}
    moved, dropped = [], []
    for secondary in secondaries:
        for phone in secondary.phones:
            key = _phone_key(phone)
            if key in seen:
                dropped.append(phone)
            else:
                seen.add(key)
                moved.append(phone)

    group_ids = {g.id for g in primary.groups}
    groups_added = []
    for secondary in secondaries:
        for group in secondary.groups:
            if group.id not in group_ids:
                group_ids.add(group.id)
                groups_added.append(group)

    secondary_ids = [s.id for s in secondaries]
    return MergePlan(
        primary=primary, secondaries=secondaries, fields=outcomes, hidden_sources=hidden,
        phones_moved=moved, phones_dropped=dropped, groups_added=groups_added,
        points_total=primary.points_balance + sum(s.points_balance for s in secondaries),
        loyalty_member=primary.loyalty_member or any(s.loyalty_member for s in secondaries),
        sales_count=_count(Sale, secondary_ids), invoices_count=_count(Invoice, secondary_ids),
        rewards_count=_count(Reward, secondary_ids))


def merge_customers(primary_id: int, secondary_ids, *, employee_id: int | None,
                    expected_versions: dict[int, int] | None = None) -> Customer:
    """Merge the secondaries into the primary (the caller commits).

    `expected_versions` ({id: version} from the preview) refuses a merge of
    records changed since the preview was shown. A record already merged into
    another is refused; so is one changed by a merge that committed while this
    one ran (SQLite: the version check at the write; PostgreSQL: the row locks
    make this one read the committed merge).
    """
    try:
        return _merge(primary_id, secondary_ids, employee_id=employee_id, expected_versions=expected_versions)
    except StaleDataError:
        # Lazy: the session must be rolled back (by the caller) before anything,
        # the language of the message included, is read from the database.
        raise MergeError(_l("Un des dossiers a été modifié depuis l’aperçu. Vérifiez le nouvel aperçu "
                            "avant de fusionner.")) from None


def _merge(primary_id: int, secondary_ids, *, employee_id: int | None,
           expected_versions: dict[int, int] | None) -> Customer:
    secondary_ids = clean_secondary_ids(primary_id, secondary_ids)
    primary, secondaries = load_for_merge(primary_id, secondary_ids, lock=True)
    if primary is None or len(secondaries) != len(secondary_ids):
        raise LookupError("customer not found")
    if any(customer.merged_into_id is not None for customer in [primary, *secondaries]):
        raise MergeError(_("Un de ces dossiers a déjà été fusionné dans un autre client."), "secondary")
    for customer in [primary, *secondaries]:
        expected = (expected_versions or {}).get(customer.id)
        if expected is not None and expected != customer.version:
            raise MergeError(_("Un des dossiers a été modifié depuis l’aperçu. Vérifiez le nouvel aperçu "
                               "avant de fusionner."))
    plan = plan_merge(primary, secondaries)
    ids = plan.all_ids
    from blueprints.customers import undo_merge
    snapshot = undo_merge.take(plan)

    # The first write: on SQLite it takes the write lock, so the balances read
    # next cannot move before this transaction ends (PostgreSQL: the row locks above).
    db.session.execute(update(PointsEntry).where(PointsEntry.customer_id.in_(secondary_ids))
                       .values(customer_id=primary.id).execution_options(synchronize_session=False))
    balances = dict(db.session.execute(select(Customer.id, Customer.points_balance)
                                       .where(Customer.id.in_(ids))).all())
    total = sum(balances.values())

    for move in (Sale, Invoice, Reward):
        db.session.execute(update(move).where(move.customer_id.in_(secondary_ids))
                           .values(customer_id=primary.id).execution_options(synchronize_session=False))
    purchase_index.move_customers(db.session.connection(), secondary_ids, primary.id)

    # Fields: only empty ones of the primary are filled.
    for outcome in plan.fields:
        if outcome.source_id not in (None, primary.id):
            source = plan.customer(outcome.source_id)
            for column in outcome.rule.columns:
                setattr(primary, column, getattr(source, column))
    for column, source_id in plan.hidden_sources.items():
        setattr(primary, column, getattr(plan.customer(source_id), column))

    # Phones: the new numbers move, the ones the primary already has go.
    moved_ids = [p.id for p in plan.phones_moved]
    dropped_ids = [p.id for p in plan.phones_dropped]
    for secondary in secondaries:
        db.session.expire(secondary, ["phones"])
    if moved_ids:
        db.session.execute(update(Phone).where(Phone.id.in_(moved_ids)).values(customer_id=primary.id)
                           .execution_options(synchronize_session=False))
    if dropped_ids:
        db.session.execute(delete(Phone).where(Phone.id.in_(dropped_ids))
                           .execution_options(synchronize_session=False))
    for phone in plan.phones_moved + plan.phones_dropped:
        db.session.expunge(phone)
    db.session.expire(primary, ["phones"])

    primary.groups.extend(plan.groups_added)
    # Consent: both histories on the primary, the newest decision per purpose wins.
    from blueprints.customers import consent
    snapshot["consents_moved"] = consent.merge_into(primary.id, secondary_ids)
    db.session.expire(primary, ["consents"])
    if plan.loyalty_member:
        enrolled = [c.loyalty_enrolled_at for c in [primary, *secondaries]
                    if c.loyalty_member and c.loyalty_enrolled_at is not None]
        primary.loyalty_member = True
        primary.loyalty_enrolled_at = min(enrolled) if enrolled else (primary.loyalty_enrolled_at or utcnow())

    # Points: the primary holds the sum; every ledger equals its cached balance.
    primary.points_balance = total
    now = utcnow()
    for secondary in secondaries:
        secondary.points_balance = 0
        secondary.loyalty_member = False
        secondary.archived = True
        secondary.archived_at = secondary.archived_at or now
        secondary.merged_into_id = primary.id
        secondary.visit_count = 0
        secondary.total_spent_cents = 0
        secondary.first_visit_at = None
        secondary.last_visit_at = None
    db.session.flush()
    ledger = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                               .where(PointsEntry.customer_id == primary.id))
    reconcile = None
    if ledger != total:
        # Balances set without ledger rows (older data): one "merge" row reconciles.
        reconcile = PointsEntry(customer_id=primary.id, delta=total - ledger, kind="merge", employee_id=employee_id)
        db.session.add(reconcile)

    _recompute_sales_summary(primary)
    primary.refresh_keys()
    primary.updated_at = now  # a version bump even when no field changed
    db.session.flush()

    from core import search_index  # the phones moved by statement: the hook did not see them
    search_index.reindex(db.session.connection(), ids)
    kept = undo_merge.keep(snapshot, plan, reconcile, employee_id)
    record("customers_merged", "customer", primary.id, count=len(secondaries), employee_id=employee_id,
           details={"secondary_ids": secondary_ids, "phones_moved": len(moved_ids),
                    "sales_moved": plan.sales_count, "snapshot_id": kept.id})
    db.session.flush()
    return primary


def _recompute_sales_summary(customer: Customer) -> None:
    """Visits, total spent, first and last visit from the customer's completed
    sales (the sales room's rule: refunded and voided sales do not count)."""
    completed = and_(Sale.customer_id == customer.id, Sale.status == "completed")
    count, spent, first, last = db.session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.total_cents), 0),
               func.min(Sale.created_at), func.max(Sale.created_at)).where(completed)).one()
    customer.visit_count = count
    customer.total_spent_cents = spent
    customer.first_visit_at = first
    customer.last_visit_at = last


# --- the preview, as one employee may see it --------------------------------

@dataclass
class PreviewRow:
    label: object
    primary: str
    secondaries: list[str]
    result: str
    from_secondary: bool


def _visible(rule: FieldRule, view) -> bool:
    if rule.visibility is None:
        return True
    if rule.visibility == "history":
        return view.history_visible
    return getattr(view, f"{rule.visibility}_level") != "none"


def _shown(rule: FieldRule, view, customer: Customer) -> str:
    """A field's value as this employee may see it (masked, or nothing)."""
    if rule.key == "email":
        return view.email or ""
    if rule.key == "address":
        if view.address is None:
            return ""
        parts = [view.address.line1, view.address.line2,
                 " ".join(p for p in (view.address.postal_code, view.address.city) if p), view.address.country]
        return ", ".join(p for p in parts if p)
    if rule.key == "comments":
        return view.comments or ""
    if rule.key == "birthday":
        birthday = customer.birthday_value
        if birthday is None:
            return ""
        from core.formatting import format_date  # the shop's date style (issue 14)
        if birthday.year is not None:
            return format_date(birthday.as_date(), "medium")
        from babel.dates import format_skeleton
        from flask_babel import get_locale
        return format_skeleton("MMMd", birthday.as_date(), locale=get_locale())
    value = getattr(customer, rule.columns[0])
    if isinstance(value, (date, datetime)):
        from core.formatting import format_date  # the shop's date style (issue 14)
        return format_date(value, "medium")
    return value or ""


def preview_rows(plan: MergePlan, employee, region: str) -> list[PreviewRow]:
    """The field-by-field preview: primary, each secondary, result. A field the
    employee may not view is not a row at all."""
    views = {c.id: customer_view(employee, c, region) for c in [plan.primary, *plan.secondaries]}
    rows = []
    for outcome in plan.fields:
        rule = outcome.rule
        if not _visible(rule, views[plan.primary.id]):
            continue
        primary_text = _shown(rule, views[plan.primary.id], plan.primary)
        secondary_texts = [_shown(rule, views[s.id], s) for s in plan.secondaries]
        result = "" if outcome.source_id is None else _shown(rule, views[outcome.source_id],
                                                             plan.customer(outcome.source_id))
        rows.append(PreviewRow(rule.label, primary_text, secondary_texts, result,
                               outcome.source_id not in (None, plan.primary.id)))
    return rows


def phone_texts(plan: MergePlan, employee, region: str) -> dict | None:
    """Phone numbers before and after, as the employee may see them (None: no phone access)."""
    views = {c.id: customer_view(employee, c, region) for c in [plan.primary, *plan.secondaries]}
    if views[plan.primary.id].phone_level == "none":
        return None
    moved = {p.id for p in plan.phones_moved}

    def texts(customer_id):
        return [p.text for p in views[customer_id].phones if p.linked]

    result = texts(plan.primary.id) + [p.text for s in plan.secondaries for p in views[s.id].phones
                                       if p.linked and p.id in moved]
    return {"primary": texts(plan.primary.id), "secondaries": [texts(s.id) for s in plan.secondaries],
            "result": result}


# --- candidates and duplicates ----------------------------------------------

def candidates(employee, primary: Customer, term: str, selected_ids: list[int], region: str,
               limit: int = 20) -> tuple[list[Customer], list[Customer]]:
    """(the secondaries already chosen, other customers matching the term):
    the list a merge picks from. Archived customers can be merged, deleted ones
    and ones already merged into another not."""
    from blueprints.customers.search import CustomerQuery, customer_select
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
    customers: list[Customer] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[Customer, Customer]]:
        """(primary, secondary): the oldest record is proposed as primary. A
        common name may be shared by dozens: the page shows a few pairs of each."""
        first, *others = self.customers
        return [(first, other) for other in others[:PAIRS_PER_GROUP]]

    @property
    def more(self) -> int:
        return max(0, len(self.customers) - 1 - PAIRS_PER_GROUP)


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
    """The active customers holding each key, oldest first. Rows are found by
    the key's index alone and the archived and deleted ones are left out here:
    with "archived = false" in the SQL, SQLite would rather walk the million
    rows of an (archived, ...) index."""
    options = (selectinload(Customer.phones), selectinload(Customer.groups))
    if kind == "phone":
        holders = db.session.execute(select(Phone.e164, Phone.customer_id)
                                     .where(Phone.e164.in_(keys), Phone.linked.is_(True))).all()
        customers = {c.id: c for c in db.session.scalars(
            select(Customer).where(Customer.id.in_({cid for _e, cid in holders})).options(*options))}
        rows = sorted(((e164, customers[cid]) for e164, cid in holders), key=lambda pair: pair[1].id)
    else:
        column = Customer.email_key if kind == "email" else Customer.name_key
        rows = [(getattr(c, column.key), c) for c in db.session.scalars(
            select(Customer).where(column.in_(keys)).options(*options).order_by(Customer.id))]
    by_key: dict = {}
    for member_key, customer in rows:
        if customer.archived or customer.anonymised:
            continue
        group = by_key.setdefault(member_key, DuplicateGroup())
        if customer not in group.customers:
            group.customers.append(customer)
    return by_key


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
            if group is not None and len(group.customers) > 1:
                found.append(group)
                if len(found) == per_page:
                    return found, start + index + 1
        start += len(keys)
        if len(keys) < chunk:
            return found, None
    return found, start  # many candidates were archived duplicates: the next page goes on from here
