"""What a merge would do, worked out from the records without writing
(plan_merge), and what refuses a merge (MergeError).

The field rule, in the seed's order:
- the record chosen as primary keeps its details;
- an empty field of the primary is filled from the secondaries (the first
  secondary, in the order chosen, that has a value wins);
- where both have a value, the primary's stays.

The postal address is one field here, not five: filling an empty street from
one record and keeping the primary's city would make an address that exists
nowhere.

Refused: merging a customer into itself, into or from an anonymised (deleted)
customer, and into an archived primary (unarchive it first: a merge result
nobody sees in the list would be a trap). An archived secondary may be merged.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.customers.service import CustomerError
from extensions import db
from models import Customer, Invoice, Phone, Reward, Sale

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
