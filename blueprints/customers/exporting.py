"""Exporting customers to CSV (seed 000): all customers or the current search,
and one customer's whole file (the answer to an access request).

- Only what the employee may view: every customer goes through
  permissions.customer_view, so a masked value is exported masked and a field
  the employee may not view has no column at all.
- Cells that a spreadsheet would read as a formula (starting with = + - @, a
  tab, CR, LF or NUL) get a leading apostrophe. Numbers we compute ourselves
  (points, cents) are written as numbers.
- UTF-8 with a byte-order mark, so a spreadsheet opens accents right.
- Streamed: rows are read in batches (keyed on the list's own order, through
  a server-side cursor where the database has one) and written as they come,
  so a million customers export in flat memory.

Phone numbers are written in E.164 (+33612345678): unambiguous in any country
and what the import reads back.
"""
from __future__ import annotations

import csv
import io
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from blueprints.customers import consent, consent_files
from extensions import db
from models import (
    Customer,
    Invoice,
    PointsEntry,
    Reward,
    Sale,
)
from core.csv_cells import BOM, safe_text
from core.permissions import CONTACT_FIELDS, can, customer_view, field_level, is_marketing_only, mask_email, mask_phone

BATCH = 1000
PHONE_SEPARATOR = " / "


def _local_zone():
    """The shop's time zone, as zoneinfo (pytz is slow for a million datetimes)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from flask import g
    from flask_babel import get_timezone
    if "_export_zone" not in g:
        try:
            g._export_zone = ZoneInfo(str(get_timezone()))
        except ZoneInfoNotFoundError:
            g._export_zone = timezone.utc
    return g._export_zone


@lru_cache(maxsize=65536)
def _offset(zone, hour_number: int):
    """The zone's UTC offset during that hour, numbered from year 1 (offsets
    change on the hour)."""
    day, hour = divmod(hour_number, 24)
    utc = datetime.fromordinal(day).replace(hour=hour, tzinfo=timezone.utc)
    return utc.astimezone(zone).utcoffset()


def local_text(value: datetime, zone=None) -> str:
    """A naive UTC datetime as "YYYY-MM-DD HH:MM" in the shop's time zone
    (`zone`: that zone already looked up, as a long export passes it)."""
    zone = zone or _local_zone()
    return (value + _offset(zone, value.toordinal() * 24 + value.hour)).isoformat(" ", "minutes")


def neutralise(value) -> str:
    """The text of a cell, safe from spreadsheet formula injection."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return local_text(value)  # stored as naive UTC; written in the shop's time zone
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def money(cents: int | None, decimal: str = ".") -> str:
    cents = cents or 0
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{decimal}{abs(cents) % 100:02d}"


# How a CSV is written: "fr" is what French Excel opens by a double click
# (semicolons, decimal commas); "intl" the comma-separated form.
CSV_FORMATS = {"fr": (";", ","), "intl": (",", ".")}


def csv_format(requested: str | None, language: str | None) -> str:
    """The format asked for, else the one of the interface's language."""
    if requested in CSV_FORMATS:
        return requested
    return "fr" if (language or "fr").startswith("fr") else "intl"


def birthday_text(record) -> str | None:
    """1990-04-17, or --04-17 without the year (ISO 8601, what the import reads back)."""
    from core.birthdays import Birthday
    birthday = Birthday.of(record)
    return birthday.iso() if birthday else None


def csv_lines(rows: Iterable[list], delimiter: str = ",") -> Iterator[str]:
    """BOM, then one CSV line per row, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    yield BOM
    zone = None
    for row in rows:
        zone = zone or _local_zone()  # once, not per date: a million rows of 30 cells
        # neutralise(), with its commonest cases inlined: a string, a date and
        # time; None and a plain int the csv module writes as they are.
        writer.writerow([safe_text(cell) if cell.__class__ is str
                         else cell if cell is None or cell.__class__ is int
                         else local_text(cell, zone) if cell.__class__ is datetime
                         else neutralise(cell) for cell in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.company or f"#{self.id}"


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


# A batch's phones and groups: the batch's ids are written into the statement
# as integers (SQLAlchemy's expanding parameter renders and binds a thousand
# parameters per batch: a third of the export's time).
_PHONES_OF = ('SELECT customer_id, raw, e164 FROM phones WHERE customer_id IN ({ids}) AND linked '
              'ORDER BY id')
_GROUPS_OF = ('SELECT customer_groups.customer_id, "groups".name FROM customer_groups '
              'JOIN "groups" ON "groups".id = customer_groups.group_id '
              'WHERE customer_groups.customer_id IN ({ids}) ORDER BY "groups".name')


def _related(connection, customer_ids: list[int]) -> tuple[dict, dict]:
    """Linked phone texts and group names of a batch of customers: two
    queries per batch, plain tuples."""
    ids = ",".join(str(int(customer_id)) for customer_id in customer_ids)  # integers only: nothing to escape
    phones: dict[int, list] = {}
    for customer_id, raw, e164 in connection.exec_driver_sql(_PHONES_OF.format(ids=ids)):
        phones.setdefault(customer_id, []).append(e164 or raw)
    groups: dict[int, list] = {}
    for customer_id, name in connection.exec_driver_sql(_GROUPS_OF.format(ids=ids)):
        groups.setdefault(customer_id, []).append(name)
    return phones, groups


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


# --- one customer's whole file ------------------------------------------------

def _labels() -> dict:
    return {
        "kind": {"add": _("Ajout"), "redeem": _("Utilisation"), "earn": _("Gagnés sur une vente"),
                 "refund": _("Repris (remboursement)"), "merge": _("Fusion"), "removal": _("Retrait du programme"),
                 "spend": _("Utilisés dans une vente"), "return": _("Rendus (remboursement)"),
                 "unrecovered": _("Non repris (remboursement)")},
        "reward": {"earned": _("Obtenue"), "claimed": _("Réclamée"), "expired": _("Expirée")},
        "sale": {"completed": _("Terminée"), "refunded": _("Remboursée"), "voided": _("Annulée")},
        "payment": {"cash": _("Espèces"), "card": _("Carte"), "invoice": _("Facture")},
        "invoice": {"open": _("Ouverte"), "paid": _("Payée")},
    }


def customer_file(employee, customer: Customer, region: str, decimal: str = ".") -> Iterator[list]:
    """Everything held about one customer that this employee may view, section
    by section in one CSV: each row starts with its section's name, each
    section with its column titles, and a blank row separates sections."""
    view = customer_view(employee, customer, region)
    history = view.history_visible
    labels = _labels()
    yes_no = {True: _("Oui"), False: _("Non")}

    section = _("Profil")
    yield [_("Section"), _("Champ"), _("Valeur")]
    from blueprints.customers.labels import ORIGIN_LABELS, PROFILE_LABELS, label
    profile = [("ID", customer.id), (_("Prénom"), view.first_name), (_("Nom de famille"), view.last_name),
               (_("Société"), customer.company)]
    if view.email_level != "none":
        profile.append((_("Courriel"), view.email))
    if view.address_level != "none" and view.address is not None:
        profile += [(_("Adresse ligne 1"), view.address.line1), (_("Adresse ligne 2"), view.address.line2),
                    (_("Code postal"), view.address.postal_code), (_("Ville"), view.address.city),
                    (_("Pays"), view.address.country)]
    profile += [
        (_("Date de naissance"), birthday_text(customer)), (_("Identifiant fiscal"), customer.tax_id),
        (_("Profil"), label(PROFILE_LABELS, customer.account_profile)), (_("Réduction"), customer.default_discount),
        *[(title, value(view, customer)) for title, value in consent_files.export_columns()],
        (_("Origine"), label(ORIGIN_LABELS, customer.origin)), (_("Archivé"), yes_no[bool(customer.archived)]),
        (_("Membre du programme de fidélité"), yes_no[bool(customer.loyalty_member)]),
        (_("Inscrit au programme le"), customer.loyalty_enrolled_at),
        (_("Points"), customer.points_balance), (_("Visites"), customer.visit_count),
        (_("Total dépensé"), money(customer.total_spent_cents, decimal)),
        (_("Première visite"), customer.first_visit_at), (_("Dernière visite"), customer.last_visit_at),
        (_("Créé le"), customer.created_at), (_("Modifié le"), customer.updated_at),
    ]
    if history:
        profile.append((_("Commentaires"), view.comments))
    for title, value in profile:
        yield [section, title, value]

    if view.phone_level != "none":
        yield []
        section = _("Téléphones")
        yield [section, _("Numéro"), _("Libellé"), _("Associé"), _("Ajouté le"), _("Dissocié le")]
        records = {p.id: p for p in customer.phones}
        for phone in view.phones:
            stored = records[phone.id]
            number = phone.text if view.phone_level == "masked" else (stored.e164 or stored.raw)
            yield [section, number, phone.label, yes_no[phone.linked], stored.created_at, stored.unlinked_at]

    yield []
    section = _("Groupes")
    yield [section, _("Nom")]
    for name in view.groups:
        yield [section, name]

    yield []
    yield from consent_files.history_rows(customer.id)

    if history:
        yield []
        section = _("Ventes")
        yield [section, _("Vente"), _("Date"), _("Point de vente"), _("Statut"), _("Paiement"), _("Carte"),
               _("4 derniers chiffres"), _("Titulaire de la carte"), _("Total"), _("Points gagnés"),
               _("Article"), _("Quantité"), _("Prix unitaire"), _("Total de la ligne")]
        sales = db.session.scalars(
            select(Sale).where(Sale.customer_id == customer.id).order_by(Sale.created_at, Sale.id)
            .options(selectinload(Sale.items), selectinload(Sale.location)))
        for sale in sales:
            head = [section, sale.id, sale.created_at, sale.location.name if sale.location else None,
                    labels["sale"].get(sale.status, sale.status),
                    labels["payment"].get(sale.payment_method, sale.payment_method),
                    sale.card_brand, sale.card_last4, sale.card_holder_name, money(sale.total_cents, decimal),
                    sale.points_earned]
            if not sale.items:
                yield head
            for item in sale.items:
                yield head + [item.name, item.quantity, money(item.unit_price_cents, decimal), money(item.line_total_cents, decimal)]

    yield []
    section = _("Points")
    yield [section, _("Date"), _("Variation"), _("Type"), _("Motif"), _("Vente")]
    for entry in db.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer.id)
                                    .order_by(PointsEntry.id)):
        yield [section, entry.created_at, entry.delta, labels["kind"].get(entry.kind, entry.kind),
               entry.reason, entry.sale_id]

    yield []
    section = _("Récompenses")
    yield [section, _("Nom"), _("Obtenue le"), _("Expire le"), _("Réclamée le"), _("État")]
    for reward in db.session.scalars(select(Reward).where(Reward.customer_id == customer.id)
                                     .order_by(Reward.earned_at, Reward.id)):
        yield [section, reward.name, reward.earned_at, reward.expires_at, reward.claimed_at,
               labels["reward"].get(reward.status(), reward.status())]

    if history:
        yield []
        section = _("Factures")
        yield [section, _("Numéro"), _("Vente"), _("Montant"), _("État"), _("Émise le"), _("Payée le")]
        for invoice in db.session.scalars(select(Invoice).where(Invoice.customer_id == customer.id)
                                          .order_by(Invoice.issued_at, Invoice.id)):
            yield [section, invoice.number, invoice.sale_id, money(invoice.amount_cents, decimal),
                   labels["invoice"].get(invoice.status, invoice.status), invoice.issued_at, invoice.paid_at]
