"""Exporting the customer list to CSV (seed 000): all customers or the
current search, its columns decided once per export.

- Only what the employee may view: a field the employee may not view has no
  column at all, a masked one is exported masked, by the rule of
  permissions.customer_view (the view itself is built only if a column asks).
- Streamed: rows are read in batches (keyed on the list's own order, through
  a server-side cursor where the database has one) and written as they come,
  so a million customers export in flat memory. The employee is held as a
  snapshot, since the stream outlives the request's session.

Phone numbers are written in E.164 (+33612345678): unambiguous in any country
and what the import reads back. The cells are written by export_cells.py.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Callable, Iterator

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from blueprints.customers import consent, consent_files
from blueprints.customers.export_cells import money
from blueprints.customers.light_rows import group_names, linked_phones
from extensions import db
from models import Customer
from models.customers import display_name
from core.masking import mask_email, mask_phone
from core.permissions import CONTACT_FIELDS, can, customer_view, field_level, is_marketing_only

BATCH = 1000
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


# --- light records -------------------------------------------------------------

# The columns an export reads (not the search keys, not the version).
EXPORT_COLUMNS = ("id", "first_name", "last_name", "company", "email", "address_line1", "address_line2", "postal_code",
                  "city", "country", "birthday", "birthday_month", "birthday_day", "comments", "tax_id", "account_profile", "default_discount",
                  "origin", "archived", "anonymised", "loyalty_member",
                  "points_balance", "visit_count", "total_spent_cents", "first_visit_at", "last_visit_at",
                  "created_at")


class _CustomerRow(namedtuple("_CustomerRow", EXPORT_COLUMNS + ("phones", "groups", "consents"))):
    """One customer as the export reads them: a plain row from the cursor
    (no ORM object per row), with `phones` the texts of their linked numbers
    (E.164, or as typed when unreadable), `groups` their group names and
    `consents` their consent states."""
    __slots__ = ()

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company, self.id)


# customer_view reads a phone's id, e164, raw, linked and label; with e164 left
# None it shows `raw`, which holds the E.164 form (no formatting per row).
_PhoneRow = namedtuple("_PhoneRow", ("id", "raw", "linked", "label", "e164"))
_GroupRow = namedtuple("_GroupRow", ("name",))


class _LazyView:
    """permissions.customer_view of a row, built only if a column asks for it
    (the columns below read the row and the levels decided once per export;
    a column written against the view still gets it)."""
    __slots__ = ("_employee", "_record", "_region", "_view")

    def __init__(self, employee, record: _CustomerRow, region: str):
        self._employee, self._record, self._region, self._view = employee, record, region, None

    def __getattr__(self, name):
        if self._view is None:
            record = self._record
            self._view = customer_view(self._employee, record._replace(
                phones=[_PhoneRow(None, text, True, "", None) for text in record.phones],
                groups=[_GroupRow(name) for name in record.groups]), self._region)
        return getattr(self._view, name)


# --- the list export ----------------------------------------------------------

@dataclass(frozen=True)
class Column:
    label: str
    value: Callable  # (view, row) -> cell; the view (permissions.customer_view) is built only if asked


def _marketing_only(row) -> bool:
    """permissions.is_marketing_only, on a row (its consents are read per
    batch): the one rule, so the file masks exactly what the screen does."""
    return is_marketing_only(row)


def _levels(employee) -> dict[str, str]:
    """The employee's level per contact field (permissions.field_level before
    a customer's own rule), decided once per export."""
    return {name: field_level(employee, name) for name in CONTACT_FIELDS}


def _shown(level: str, value_of: Callable, mask: Callable) -> Callable:
    """A contact cell at this level: in full (edit, or view unless the
    customer came only through a marketing sign-up, permissions.field_level)
    or masked. Decided here once; per row only the marketing rule is asked."""
    if level == "edit":
        return value_of
    if level == "view":
        return lambda row: mask(value_of(row)) if _marketing_only(row) else value_of(row)
    return lambda row: mask(value_of(row))


def _phone_mask(texts):
    return [mask_phone(text) for text in texts]


def list_columns(employee, decimal: str = ".") -> list[Column]:
    """The columns this employee's export has: a contact field they may not
    view has no column; one they see masked is there, masked. Codes are
    written as the words the screen shows (the import reads them back).
    Every permission is decided here, once per export."""
    from blueprints.customers.labels import ORIGIN_LABELS, PROFILE_LABELS
    yes_no = {True: _("Oui"), False: _("Non")}
    profiles = {code: str(text) for code, text in PROFILE_LABELS.items()}
    origins = {code: str(text) for code, text in ORIGIN_LABELS.items()}
    levels = _levels(employee)
    columns = [
        Column("ID", lambda v, r: r.id),
        Column(_("Prénom"), lambda v, r: r.first_name),
        Column(_("Nom de famille"), lambda v, r: r.last_name),
        Column(_("Société"), lambda v, r: r.company),
    ]
    if levels["email"] != "none":
        email = _shown(levels["email"], lambda r: r.email, mask_email)
        columns.append(Column(_("Courriel"), lambda v, r: email(r)))
    if levels["phone"] != "none":
        phones = _shown(levels["phone"], lambda r: r.phones, _phone_mask)
        columns.append(Column(_("Téléphone"), lambda v, r: r.phones and phones(r)[0] or None))
        columns.append(Column(_("Autres téléphones"), lambda v, r: PHONE_SEPARATOR.join(phones(r)[1:])
                              if len(r.phones) > 1 else None))
    if levels["address"] != "none":
        # Masked: the city and country without the street (permissions.customer_view).
        street = _shown(levels["address"], lambda r: r, lambda r: None)
        columns += [
            Column(_("Adresse ligne 1"), lambda v, r: street(r) and r.address_line1),
            Column(_("Adresse ligne 2"), lambda v, r: street(r) and r.address_line2),
            Column(_("Code postal"), lambda v, r: street(r) and r.postal_code),
            Column(_("Ville"), lambda v, r: r.city),
            Column(_("Pays"), lambda v, r: r.country),
        ]
    columns += [
        Column(_("Date de naissance"), lambda v, r: r.birthday.isoformat() if r.birthday else
               f"--{r.birthday_month:02d}-{r.birthday_day:02d}" if r.birthday_month and r.birthday_day else None),
        Column(_("Identifiant fiscal"), lambda v, r: r.tax_id),
        Column(_("Groupes"), lambda v, r: ", ".join(r.groups) or None),
        Column(_("Membre du programme de fidélité"), lambda v, r: yes_no[bool(r.loyalty_member)]),
        Column(_("Points"), lambda v, r: r.points_balance),
        Column(_("Visites"), lambda v, r: r.visit_count),
        Column(_("Total dépensé"), lambda v, r: money(r.total_spent_cents, decimal)),
        Column(_("Première visite"), lambda v, r: r.first_visit_at),
        Column(_("Dernière visite"), lambda v, r: r.last_visit_at),
        Column(_("Profil"), lambda v, r: profiles.get(r.account_profile, r.account_profile)),
        Column(_("Réduction"), lambda v, r: r.default_discount),
        *[Column(title, value) for title, value in consent_files.export_columns()],  # issue 15
        Column(_("Origine"), lambda v, r: origins.get(r.origin, r.origin)),
        Column(_("Archivé"), lambda v, r: yes_no[bool(r.archived)]),
    ]
    if can(employee, "customers.history.view"):
        columns.append(Column(_("Commentaires"), lambda v, r: r.comments))
    columns.append(Column(_("Créé le"), lambda v, r: r.created_at))
    return columns


def count_rows(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _related(connection, customer_ids: list[int]) -> tuple[dict, dict]:
    """Linked phone texts (E.164, or as typed when unreadable) and group
    names of a batch of customers: two queries per batch."""
    phones = {customer_id: [phone.e164 or phone.raw for phone in numbers]
              for customer_id, numbers in linked_phones(connection, customer_ids).items()}
    return phones, group_names(connection, customer_ids)


def list_rows(employee, stmt: Select, region: str, batch: int = BATCH, decimal: str = ".") -> Iterator[list]:
    """Header, then one row per customer of the select, read in batches of
    plain tuples through a server-side cursor."""
    columns = list_columns(employee, decimal)
    yield [column.label for column in columns]
    table = Customer.__table__
    rows_stmt = stmt.with_only_columns(*(table.c[name] for name in EXPORT_COLUMNS), maintain_column_froms=False)
    connection = db.session.connection()
    # A server-side cursor on PostgreSQL; SQLite's cursor reads as it goes anyway.
    result = connection.execute(rows_stmt.execution_options(yield_per=batch, stream_results=True))
    make = _CustomerRow._make
    values = [column.value for column in columns]
    none = ()
    for partition in result.partitions(batch):
        ids = [row[0] for row in partition]
        phones, groups = _related(connection, ids)
        consents = consent.states_for(connection, ids)
        for row in partition:
            record = make((*row, phones.get(row[0], none), groups.get(row[0], none), consents.get(row[0], ())))
            view = _LazyView(employee, record, region)
            yield [value(view, record) for value in values]
