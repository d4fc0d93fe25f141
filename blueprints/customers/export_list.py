"""Exporting the customer list to CSV (seed 000): all customers or the
current search, its columns decided once per export.

- Only what the employee may view: a field the employee may not view has no
  column at all, a masked one is exported masked, by the rules of
  permissions.customer_view (field_level decided once per export,
  is_marketing_only asked per customer) without building a view per row.
- Streamed: customers are read in batches (export_batches.py) and written
  as they come, so a million customers export in flat memory. The employee
  is held as a snapshot, since the stream outlives the request's session.
- Column by column: each column is one loop over a batch (a function per
  column, never per cell), and asks the row only where a rule depends on it
  (a marketing sign-up's contact details, permissions.is_marketing_only).

Phone numbers are written in E.164 (+33612345678): unambiguous in any country
and what the import reads back. The cells are written by export_cells.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from blueprints.customers import consent_files, export_cells
from blueprints.customers.export_batches import BATCH, Batch, read_batches
from extensions import db
from core.masking import mask_email, mask_phone
from core.permissions import CONTACT_FIELDS, can, field_level

PHONE_SEPARATOR = " / "


# --- what a streamed export may hold across the request's end ------------------

@dataclass(frozen=True)
class _PermissionSetSnapshot:
    is_owner: bool
    capabilities: frozenset


@dataclass(frozen=True)
class EmployeeSnapshot:
    """The employee as the permission functions read them. A streamed response
    runs after the request's session is closed, so it must not hold the ORM
    Employee (its attributes would need that session to reload)."""
    id: int
    active: bool
    permission_set_id: int | None
    permission_set: _PermissionSetSnapshot | None
    # What permissions.effective_capabilities answers, worked out once, not
    # four times per row of a million.
    fixed_capabilities: frozenset = frozenset()
    is_authenticated: bool = True


def snapshot(employee) -> EmployeeSnapshot:
    from core.permissions import effective_capabilities
    permission_set = employee.permission_set
    return EmployeeSnapshot(
        id=employee.id, active=employee.active, permission_set_id=employee.permission_set_id,
        permission_set=None if permission_set is None else _PermissionSetSnapshot(
            bool(permission_set.is_owner), frozenset(permission_set.capabilities or ())),
        fixed_capabilities=effective_capabilities(employee))


# --- the columns -----------------------------------------------------------------

# The columns an export reads (not the search keys, not the version).
EXPORT_COLUMNS = ("id", "first_name", "last_name", "company", "email", "address_line1", "address_line2", "postal_code",
                  "city", "country", "birthday", "birthday_month", "birthday_day", "comments", "tax_id", "account_profile", "default_discount",
                  "origin", "archived", "anonymised", "loyalty_member",
                  "points_balance", "visit_count", "total_spent_cents", "first_visit_at", "last_visit_at",
                  "created_at")


@dataclass(frozen=True)
class Column:
    label: str
    cells: Callable[[Batch], Sequence]  # the column's values for a batch, in its order
    kind: str = "text"  # what they hold, for export_cells.csv_columns: text, plain (numbers) or datetime


def _field(name: str) -> Callable[[Batch], Sequence]:
    return lambda batch: batch[name]


def _levels(employee) -> dict[str, str]:
    """The employee's level per contact field (permissions.field_level before
    a customer's own rule), decided once per export."""
    return {name: field_level(employee, name) for name in CONTACT_FIELDS}


def _shown(level: str, values: Callable, mask: Callable) -> Callable[[Batch], Sequence]:
    """A contact column at this level: in full (edit, or view unless the
    customer came only through a marketing sign-up, permissions.field_level)
    or masked. Decided here once; per customer only the marketing rule is asked."""
    if level == "edit":
        return values
    if level == "view":
        return lambda batch: [mask(value) if marketing_only else value
                              for value, marketing_only in zip(values(batch), batch.marketing_only)]
    return lambda batch: [mask(value) for value in values(batch)]


def _once_per_batch(cells: Callable[[Batch], Sequence]) -> Callable[[Batch], Sequence]:
    """cells, worked out once for a batch that two columns read."""
    last: list = [None, None]

    def cached(batch):
        if last[0] is not batch:
            last[:] = [batch, cells(batch)]
        return last[1]
    return cached


def _phone_mask(texts):
    return [mask_phone(text) for text in texts]


def _contact_columns(levels: dict[str, str]) -> list[Column]:
    """Email, phones and address, as the employee's levels let them be seen:
    a field they may not view has no column."""
    columns = []
    if levels["email"] != "none":
        columns.append(Column(_("Courriel"), _shown(levels["email"], _field("email"), mask_email)))
    if levels["phone"] != "none":
        phones = _once_per_batch(_shown(levels["phone"], lambda batch: batch.phones, _phone_mask))
        columns.append(Column(_("Téléphone"), lambda batch: [texts[0] or None if texts else None
                                                              for texts in phones(batch)]))
        columns.append(Column(_("Autres téléphones"), lambda batch: [
            PHONE_SEPARATOR.join(texts[1:]) if len(texts) > 1 else None for texts in phones(batch)]))
    if levels["address"] != "none":
        # Masked: the city and country without the street (permissions.customer_view).
        def street(name):
            return _shown(levels["address"], _field(name), lambda value: None)
        columns += [
            Column(_("Adresse ligne 1"), street("address_line1")),
            Column(_("Adresse ligne 2"), street("address_line2")),
            Column(_("Code postal"), street("postal_code")),
            Column(_("Ville"), _field("city")),
            Column(_("Pays"), _field("country")),
        ]
    return columns


def _birthdays(batch: Batch) -> list:
    """1990-04-17, or --04-17 without the year (what the import reads back)."""
    return [day.isoformat() if day else f"--{month:02d}-{day_of_month:02d}" if month and day_of_month else None
            for day, month, day_of_month in zip(batch["birthday"], batch["birthday_month"], batch["birthday_day"])]


def _words(name: str, words: dict) -> Callable[[Batch], list]:
    """A code written as the word the screen shows (the code itself if it has none)."""
    return lambda batch: list(map(words.get, batch[name], batch[name]))


def _yes_no(name: str) -> Callable[[Batch], list]:
    yes, no = _("Oui"), _("Non")
    return lambda batch: [yes if value else no for value in batch[name]]


def _consent_columns() -> list[Column]:
    """Each purpose's state and the date it was decided (issue 15)."""
    return [Column(title, lambda batch, cells=cells: cells(batch.consents, batch.ids), kind)
            for title, cells, kind in consent_files.export_columns()]


def list_columns(employee, decimal: str = ".") -> list[Column]:
    """The columns this employee's export has: a contact field they may not
    view has no column; one they see masked is there, masked. Codes are
    written as the words the screen shows (the import reads them back).
    Every permission is decided here, once per export."""
    from blueprints.customers.labels import ORIGIN_LABELS, PROFILE_LABELS
    profiles = {code: str(text) for code, text in PROFILE_LABELS.items()}
    origins = {code: str(text) for code, text in ORIGIN_LABELS.items()}
    columns = [
        Column("ID", _field("id"), "plain"),
        Column(_("Prénom"), _field("first_name")),
        Column(_("Nom de famille"), _field("last_name")),
        Column(_("Société"), _field("company")),
        *_contact_columns(_levels(employee)),
        Column(_("Date de naissance"), _birthdays),
        Column(_("Identifiant fiscal"), _field("tax_id")),
        Column(_("Groupes"), lambda batch: [", ".join(names) or None for names in batch.groups]),
        Column(_("Membre du programme de fidélité"), _yes_no("loyalty_member")),
        Column(_("Points"), _field("points_balance"), "plain"),
        Column(_("Visites"), _field("visit_count"), "plain"),
        Column(_("Total dépensé"), lambda batch: export_cells.money_texts(batch["total_spent_cents"], decimal)),
        Column(_("Première visite"), _field("first_visit_at"), "datetime"),
        Column(_("Dernière visite"), _field("last_visit_at"), "datetime"),
        Column(_("Profil"), _words("account_profile", profiles)),
        Column(_("Réduction"), _field("default_discount"), "plain"),
        *_consent_columns(),
        Column(_("Origine"), _words("origin", origins)),
        Column(_("Archivé"), _yes_no("archived")),
    ]
    if can(employee, "customers.history.view"):
        columns.append(Column(_("Commentaires"), _field("comments")))
    columns.append(Column(_("Créé le"), _field("created_at"), "datetime"))
    return columns


def count_rows(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _column_batches(columns: list[Column], stmt: Select, batch: int) -> Iterator[list[Sequence]]:
    for customers in read_batches(db.session.connection(), stmt, EXPORT_COLUMNS, batch):
        yield [column.cells(customers) for column in columns]


def list_rows(employee, stmt: Select, batch: int = BATCH, decimal: str = ".") -> Iterator[list]:
    """Header, then one row per customer of the select: the values list_csv
    writes, before their neutralising."""
    columns = list_columns(employee, decimal)
    yield [column.label for column in columns]
    for cells in _column_batches(columns, stmt, batch):
        yield from map(list, zip(*cells))


def list_csv(employee, stmt: Select, delimiter: str = ",", decimal: str = ".", batch: int = BATCH) -> Iterator[str]:
    """The export as CSV text, streamed: list_rows' rows, each batch
    neutralised and written column by column."""
    columns = list_columns(employee, decimal)
    yield from export_cells.csv_columns([column.label for column in columns], [column.kind for column in columns],
                                        _column_batches(columns, stmt, batch), delimiter)
