"""Importing customers from a spreadsheet (CSV), including the customer exports
of the systems merchants leave: Square, Shopify, Lightspeed, and Comptoir's own.

The steps, each its own function so that routes stay thin and tests need no HTTP:
1. read_upload(): refuse what is not a usable CSV (binary, a workbook, empty,
   too big, too many columns) with a clear message; detect the encoding
   (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) and the
   delimiter; count the rows. The file is kept under the instance folder
   (imports/<job id>.csv) only until the import ends: it holds personal data.
2. auto_mapping(): columns mapped by their header names; by hand otherwise.
   A field the employee may not edit (email, phone, address per permission
   set; comments need the history capability) cannot be a target.
3. preview(): the first rows as they would be read, with each row's errors.
4. run_import(): every row is checked first; if any is refused and the user did
   not choose "import the valid rows only", nothing is written (status
   "refused", with the report). Then rows are written in batches (bulk
   inserts), duplicates (same email or phone as a customer or as an earlier
   row of the file) skipped, updated or created as chosen. Progress is kept on
   the ImportJob row that the page polls.

The report holds line numbers and reason codes only, never a rejected value.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from audit import record
from extensions import db
from models import Customer, CustomerSearchTerm, Group, ImportJob, Phone, ShopSettings, customer_groups
from models.base import utcnow
from permissions import can, field_level
from phones import normalise
from textkeys import fold

MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 200
PREVIEW_ROWS = 20
BATCH = 1000
# Files up to this many rows are imported during the request; bigger ones in a
# background thread while the page polls the progress.
INLINE_ROWS = 2000
MAX_REPORT_ENTRIES = 100_000
STALE_UPLOAD_SECONDS = 24 * 3600
DUPLICATE_CHOICES = ("skip", "update", "create")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


class ImportRefused(ValueError):
    """The file cannot be imported; the message says why and what to do."""


# --- targets and the header names that find them -----------------------------

@dataclass(frozen=True)
class Target:
    key: str
    label: object
    multi: bool = False  # several columns may feed it (phones, comments)
    limit: int = 0
    needs: tuple[str, str] | None = None  # ("field", "email") or ("cap", "customers.history.view")


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target("first_name", _l("Prénom"), limit=100),
    Target("last_name", _l("Nom de famille"), limit=100),
    Target("full_name", _l("Nom complet (prénom puis nom)"), limit=201),
    Target("email", _l("Courriel"), limit=254, needs=("field", "email")),
    Target("phone", _l("Téléphone"), multi=True, limit=40, needs=("field", "phone")),
    Target("address_line1", _l("Adresse ligne 1"), limit=200, needs=("field", "address")),
    Target("address_line2", _l("Adresse ligne 2"), limit=200, needs=("field", "address")),
    Target("postal_code", _l("Code postal"), limit=20, needs=("field", "address")),
    Target("city", _l("Ville"), limit=100, needs=("field", "address")),
    Target("country", _l("Pays"), needs=("field", "address")),
    Target("birthday", _l("Date de naissance")),
    Target("tax_id", _l("Identifiant fiscal"), limit=40),
    Target("comments", _l("Commentaires"), multi=True, limit=5000, needs=("cap", "customers.history.view")),
    Target("email_notifications", _l("Autoriser les notifications par courriel")),
    Target("marketing_consent", _l("Consentement marketing")),
    Target("groups", _l("Groupes"), needs=("cap", "loyalty.groups")),
)}

# Header names, folded (textkeys.fold: lower-case ASCII, punctuation as spaces).
# Comptoir's own export (French and English), Square, Shopify (old and new),
# Lightspeed Retail (R-Series) and Lightspeed X-Series.
ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("prenom", "first name", "firstname", "given name", "first"),
    "last_name": ("nom de famille", "last name", "lastname", "surname", "family name", "nom", "last"),
    "full_name": ("name", "full name", "nom complet", "customer name", "client", "contact"),
    "email": ("courriel", "email", "e mail", "email address", "e mail address", "adresse courriel",
              "adresse e mail", "mail", "email 1"),
    "phone": ("telephone", "autres telephones", "other phones", "phone", "phone number", "phone 1", "phone 2",
              "mobile", "mobile phone", "mobile number", "cell", "home", "work", "home phone", "work phone",
              "default address phone", "portable", "tel", "numero de telephone"),
    "address_line1": ("adresse ligne 1", "address line 1", "address", "address 1", "address1",
                      "street address 1", "street address", "default address address1", "adresse",
                      "physical address 1", "street"),
    "address_line2": ("adresse ligne 2", "address line 2", "address 2", "address2", "street address 2",
                      "default address address2", "physical address 2"),
    "postal_code": ("code postal", "postal code", "zip", "zip code", "postcode", "post code",
                    "default address zip", "physical postcode", "cp"),
    "city": ("ville", "city", "town", "default address city", "physical city"),
    "country": ("pays", "country", "country code", "default address country code", "physical country id"),
    "birthday": ("date de naissance", "birthday", "date of birth", "birth date", "birthdate", "dob",
                 "anniversaire", "date of birth dd mm yyyy"),
    "tax_id": ("identifiant fiscal", "tax id", "vat number", "numero de tva", "tax number"),
    "comments": ("commentaires", "comments", "comment", "memo", "note", "notes", "remarques"),
    "email_notifications": ("autoriser les notifications par courriel", "allow email notifications",
                            "email notifications"),
    "marketing_consent": ("consentement marketing", "marketing consent", "accepts email marketing",
                          "accepts marketing", "email subscription status", "email marketing", "opt in"),
    "groups": ("groupes", "groups", "tags", "customer groups"),
}
_ALIAS_TARGET = {alias: target for target, names in ALIASES.items() for alias in names}

_TRUE = {"1", "yes", "y", "true", "oui", "o", "vrai", "x", "subscribed", "opted in", "optin", "opt in"}
_PHONE_SPLIT = re.compile(r"[;/|,]")


def allowed_targets(employee) -> list[str]:
    result = []
    for target in TARGETS.values():
        if target.needs is None:
            result.append(target.key)
        elif target.needs[0] == "field" and field_level(employee, target.needs[1]) == "edit":
            result.append(target.key)
        elif target.needs[0] == "cap" and can(employee, target.needs[1]):
            result.append(target.key)
    return result


def auto_mapping(headers: list[str], allowed: list[str]) -> list[str]:
    """A target per column ("" to ignore) from the header names."""
    used: set[str] = set()
    mapping = []
    for header in headers:
        target = _ALIAS_TARGET.get(fold(header), "")
        if target and (target not in allowed or (target in used and not TARGETS[target].multi)):
            target = ""
        used.add(target)
        mapping.append(target)
    return mapping


def check_mapping(mapping: list[str], allowed: list[str]) -> list[str]:
    """Messages for a mapping that cannot work (empty when it can)."""
    errors = []
    chosen = [t for t in mapping if t]
    for target in chosen:
        if target not in allowed:
            errors.append(_("Vous ne pouvez pas importer ce champ : %(field)s.", field=TARGETS[target].label)
                          if target in TARGETS else _("Champ inconnu."))
    for target in set(chosen):
        if target in TARGETS and not TARGETS[target].multi and chosen.count(target) > 1:
            errors.append(_("Plusieurs colonnes vont vers le même champ : %(field)s.", field=TARGETS[target].label))
    if not {"first_name", "last_name", "full_name", "email"} & set(chosen):
        errors.append(_("Associez au moins une colonne au nom ou au courriel."))
    return errors


# --- reading an upload ----------------------------------------------------------

_MAGIC = {
    b"PK\x03\x04": "workbook", b"\xd0\xcf\x11\xe0": "workbook", b"%PDF": "binary", b"\x89PNG": "binary",
    b"\xff\xd8\xff": "binary", b"GIF8": "binary", b"\x1f\x8b": "binary", b"BM": None,
}


@dataclass
class UploadInfo:
    encoding: str
    delimiter: str
    headers: list[str]
    total_rows: int


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportRefused(_("Ce fichier n'est pas un fichier CSV (texte séparé par des virgules ou des "
                                  "points-virgules).")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "cp1252"


def detect_delimiter(text: str) -> str:
    sample = text[:16384]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[:sample.rindex("\n")]
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sniffed = None
    if sniffed and counts.get(sniffed):
        return sniffed
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _refuse_binary(data: bytes) -> None:
    for magic, kind in _MAGIC.items():
        if kind and data.startswith(magic):
            if kind == "workbook":
                raise ImportRefused(_("Ce fichier est un classeur ou une archive (xlsx, xls, zip), pas un CSV. "
                                      "Dans votre tableur, enregistrez la feuille au format CSV, puis importez ce fichier."))
            raise ImportRefused(_("Ce fichier n'est pas un fichier CSV (texte séparé par des virgules ou des "
                                  "points-virgules)."))


def read_upload(data: bytes) -> tuple[str, UploadInfo]:
    """The decoded text and what was detected, or ImportRefused."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Le fichier dépasse %(size)s Mo. Découpez-le en plusieurs fichiers.",
                              size=MAX_BYTES // (1024 * 1024)))
    if not data.strip():
        raise ImportRefused(_("Le fichier est vide."))
    _refuse_binary(data)
    if b"\0" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(_("Ce fichier n'est pas un fichier CSV (texte séparé par des virgules ou des "
                              "points-virgules)."))
    text, encoding = decode(data)
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if "\0" in sample or controls > len(sample) // 100 + 1:
        raise ImportRefused(_("Ce fichier n'est pas un fichier CSV (texte séparé par des virgules ou des "
                              "points-virgules)."))
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, None)
        if headers is not None and len(headers) > MAX_COLUMNS:
            from flask_babel import format_decimal
            raise ImportRefused(_("Le fichier compte %(count)s colonnes ; un import en accepte %(max)s au plus.",
                                  count=format_decimal(len(headers)), max=MAX_COLUMNS))
        total = sum(1 for row in reader if any(cell.strip() for cell in row))
    except csv.Error:
        raise ImportRefused(_("Ce fichier CSV est illisible à la ligne %(line)s (guillemets non fermés ou "
                              "cellule démesurée).", line=reader.line_num)) from None
    if not headers or not any(h.strip() for h in headers):
        raise ImportRefused(_("Le fichier est vide."))
    if total == 0:
        raise ImportRefused(_("Le fichier ne contient que la ligne d'en-tête : aucun client à importer."))
    headers = [h.strip().lstrip("\ufeff")[:80] for h in headers]
    return text, UploadInfo(encoding, delimiter, headers, total)


# --- where an upload waits --------------------------------------------------------

def imports_dir(base: str | os.PathLike) -> Path:
    path = Path(base) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _paths(base, job_id: int) -> tuple[Path, Path]:
    folder = imports_dir(base)
    return folder / f"{int(job_id)}.csv", folder / f"{int(job_id)}.json"


def load_settings(base, job_id: int) -> dict | None:
    _csv, settings = _paths(base, job_id)
    try:
        return json.loads(settings.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def save_settings(base, job_id: int, settings: dict) -> None:
    _csv, path = _paths(base, job_id)
    _write_private(path, json.dumps(settings))


def _write_private(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)


def has_upload(base, job_id: int) -> bool:
    return _paths(base, job_id)[0].exists()


def delete_upload(base, job_id: int) -> None:
    for path in _paths(base, job_id):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def sweep_stale_uploads(base, max_age: int = STALE_UPLOAD_SECONDS) -> int:
    """Delete uploads left behind (an abandoned mapping page): personal data
    does not wait on disk for ever."""
    removed = 0
    cutoff = time.time() - max_age
    for path in imports_dir(base).iterdir():
        if path.suffix in (".csv", ".json") and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def start_upload(data: bytes, *, employee, base) -> ImportJob:
    """Check and keep an uploaded file; the job waits for its mapping (the caller commits)."""
    text, info = read_upload(data)
    sweep_stale_uploads(base)
    job = ImportJob(employee_id=employee.id, status="pending", total_rows=info.total_rows, report=[])
    db.session.add(job)
    db.session.flush()
    csv_path, _json = _paths(base, job.id)
    _write_private(csv_path, text)
    save_settings(base, job.id, {
        "encoding": info.encoding, "delimiter": info.delimiter, "headers": info.headers,
        "mapping": auto_mapping(info.headers, allowed_targets(employee)),
        "duplicates": "skip", "valid_only": False,
    })
    return job


def iter_rows(base, job_id: int, delimiter: str):
    """(line number, cells) of every non-blank data row, the header skipped.
    The line number is the file's, where the row starts (the header is line 1)."""
    csv_path, _json = _paths(base, job_id)
    with csv_path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        previous_end = reader.line_num
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells


# --- reading one row ------------------------------------------------------------

@dataclass
class ParsedRow:
    line: int
    values: dict = field(default_factory=dict)
    phones: list = field(default_factory=list)  # (raw, e164)
    groups: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def email_key(self) -> str | None:
        email = self.values.get("email")
        return email.strip().lower() if email else None


def _countries() -> dict[str, str]:
    from babel import Locale
    names = {}
    for locale in ("fr", "en"):
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names[fold(name)] = code
    return names


def _parse_birthday(text: str) -> date | None:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m/%d/%Y"):
        try:
            value = datetime.strptime(text.split(" ")[0].split("T")[0], pattern).date()
        except ValueError:
            continue
        if 1900 <= value.year and value <= date.today():
            return value
    return None


class RowParser:
    """Turns the cells of a row into customer values and errors, for one mapping.
    Phone and email checks are remembered: the rows are read twice."""

    def __init__(self, mapping: list[str], region: str):
        self.mapping = mapping
        self.region = region
        self._phones: dict[str, str | None] = {}
        self._emails: dict[str, str | None] = {}
        self._countries = None

    def _email(self, value: str) -> str | None:
        if value not in self._emails:
            try:
                self._emails[value] = validate_email(value, check_deliverability=False).normalized
            except EmailNotValidError:
                self._emails[value] = None
        return self._emails[value]

    def _phone(self, value: str) -> str | None:
        if value not in self._phones:
            self._phones[value] = normalise(value, self.region)
        return self._phones[value]

    def _country(self, value: str) -> str | None:
        if len(value) == 2 and value.isalpha():
            return value.upper()
        if self._countries is None:
            self._countries = _countries()
        return self._countries.get(fold(value))

    def parse(self, line: int, cells: list[str]) -> ParsedRow:
        row = ParsedRow(line)
        if len(cells) > len(self.mapping) and any(c.strip() for c in cells[len(self.mapping):]):
            row.errors.append("too_many_columns")
        raw: dict[str, list[str]] = {}
        for index, target in enumerate(self.mapping):
            if not target or index >= len(cells):
                continue
            cell = cells[index].strip()
            if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START:
                cell = cell[1:]  # neutralised by a spreadsheet export, ours included
            if cell:
                raw.setdefault(target, []).append(cell)
        values = row.values

        def single(key):
            return raw[key][0] if key in raw else None

        for key in ("first_name", "last_name", "address_line1", "address_line2", "postal_code", "city", "tax_id"):
            value = single(key)
            if value is not None:
                if len(value) > TARGETS[key].limit:
                    row.errors.append(f"too_long:{key}")
                values[key] = value
        full = single("full_name")
        if full and not values.get("first_name") and not values.get("last_name"):
            first, _sep, last = full.partition(" ")
            values["first_name"], values["last_name"] = first[:100], (last.strip() or None)
            if len(first) > 100 or len(last) > 100:
                row.errors.append("too_long:full_name")
        email = single("email")
        if email is not None:
            normalised = self._email(email) if len(email) <= 254 else None
            if normalised is None:
                row.errors.append("invalid_email")  # kept as typed for the preview; never written
            values["email"] = normalised or email
        for cell in raw.get("phone", []):
            for part in _PHONE_SPLIT.split(cell):
                part = part.strip()
                if not part:
                    continue
                e164 = self._phone(part) if len(part) <= 40 else None
                if e164 is None:
                    if "invalid_phone" not in row.errors:
                        row.errors.append("invalid_phone")
                elif e164 not in (p[1] for p in row.phones):
                    row.phones.append((part, e164))
        country = single("country")
        if country is not None:
            code = self._country(country)
            if code is None:
                row.errors.append("invalid_country")
            values["country"] = code
        birthday = single("birthday")
        if birthday is not None:
            parsed = _parse_birthday(birthday)
            if parsed is None:
                row.errors.append("invalid_birthday")
            values["birthday"] = parsed
        if "comments" in raw:
            comments = "\n".join(raw["comments"])
            if len(comments) > TARGETS["comments"].limit:
                row.errors.append("too_long:comments")
            values["comments"] = comments
        for key in ("email_notifications", "marketing_consent"):
            value = single(key)
            if value is not None:
                values[key] = fold(value) in _TRUE
        if "groups" in raw:
            names = []
            for name in raw["groups"][0].split(","):
                name = " ".join(name.split())
                if name and name not in names:
                    if len(name) > 80:
                        row.errors.append("too_long:groups")
                        break
                    names.append(name)
            row.groups = names
        if not values.get("first_name") and not values.get("last_name") and not email:
            row.errors.append("no_name_no_email")
        return row


REASONS = {
    "invalid_email": _l("Courriel invalide"),
    "invalid_phone": _l("Téléphone invalide"),
    "no_name_no_email": _l("Ni nom ni courriel"),
    "invalid_birthday": _l("Date de naissance invalide"),
    "invalid_country": _l("Pays non reconnu"),
    "too_many_columns": _l("Plus de cellules que de colonnes dans l'en-tête"),
    "duplicate_email": _l("Déjà dans le répertoire (même courriel)"),
    "duplicate_phone": _l("Déjà dans le répertoire (même téléphone)"),
    "duplicate_in_file": _l("Doublon d'une ligne précédente du fichier"),
}


def reason_text(code: str) -> str:
    if code.startswith("too_long:"):
        target = TARGETS.get(code.split(":", 1)[1])
        return _("Valeur trop longue : %(field)s", field=target.label if target else "?")
    return str(REASONS.get(code, code))


# --- preview ----------------------------------------------------------------------

@dataclass
class PreviewRow:
    line: int
    row: ParsedRow
    duplicate: str | None  # a reason code when the row matches an existing customer


def preview(base, job_id: int, settings: dict, mapping: list[str], region: str,
            limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    parser = RowParser(mapping, region)
    rows = []
    for line, cells in iter_rows(base, job_id, settings["delimiter"]):
        rows.append(parser.parse(line, cells))
        if len(rows) >= limit:
            break
    existing_emails, existing_phones = _existing([r for r in rows if not r.errors])
    result = []
    for row in rows:
        duplicate = None
        if not row.errors:
            if row.email_key and row.email_key in existing_emails:
                duplicate = "duplicate_email"
            elif any(e164 in existing_phones for _raw, e164 in row.phones):
                duplicate = "duplicate_phone"
        result.append(PreviewRow(row.line, row, duplicate))
    return result


def _existing(rows: list[ParsedRow]) -> tuple[dict[str, int], dict[str, int]]:
    """Customers (not deleted) already holding these emails and phone numbers."""
    emails = sorted({r.email_key for r in rows if r.email_key})
    phones = sorted({e164 for r in rows for _raw, e164 in r.phones})
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


# --- the import -----------------------------------------------------------------

def _progress(job: ImportJob, **values) -> None:
    for key, value in values.items():
        setattr(job, key, value)
    db.session.commit()


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


class _Writer:
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
            e164 in self.seen_phones for _raw, e164 in row.phones)
        if row.email_key:
            self.seen_emails.setdefault(row.email_key, row.line)
        for _raw, e164 in row.phones:
            self.seen_phones.setdefault(e164, row.line)
        return bool(found)

    def _skip(self, row: ParsedRow, reason: str) -> None:
        self.skipped += 1
        if len(self.report) < MAX_REPORT_ENTRIES:
            self.report.append({"line": row.line, "outcome": "skipped", "reasons": [reason]})

    def write(self, rows: list[ParsedRow]) -> None:
        by_email, by_phone = _existing(rows) if self.duplicates != "create" else ({}, {})
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
        for row in rows:
            values = {key: row.values.get(key) for key in (
                "first_name", "last_name", "email", "address_line1", "address_line2", "postal_code", "city",
                "country", "birthday", "comments", "tax_id")}
            values.update(_key_values(values["first_name"], values["last_name"], values["email"]))
            values.update(email_notifications=bool(row.values.get("email_notifications", False)),
                          marketing_consent=bool(row.values.get("marketing_consent", False)),
                          origin="import", created_at=now, updated_at=now, version=1)
            dicts.append(values)
        # Core statements (not ORM bulk): the ORM's bookkeeping per row doubles the time.
        connection = db.session.connection()
        table = Customer.__table__
        ids = _insert_returning_ids(connection, table, dicts)
        phones, terms, memberships = [], [], []
        self._group_ids({name for row in rows for name in row.groups})
        for customer_id, row, values in zip(ids, rows, dicts):
            for raw, e164 in row.phones:
                phones.append({"customer_id": customer_id, "raw": raw[:40], "e164": e164,
                               "digits": e164.lstrip("+"), "label": "mobile", "linked": True, "created_at": now})
            terms += search_index.rows_for(customer_id, values["first_name"], values["last_name"],
                                           values["email"], [e164 for _raw, e164 in row.phones])
            memberships += [{"customer_id": customer_id, "group_id": self.group_ids[name]} for name in row.groups]
        if phones:
            connection.execute(insert(Phone.__table__), phones)
        if terms:
            connection.execute(insert(CustomerSearchTerm.__table__), terms)
        if memberships:
            connection.execute(insert(customer_groups), memberships)
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
            present = {p.e164 for p in customer.phones}
            for raw, e164 in row.phones:
                if e164 not in present:
                    customer.phones.append(make_phone(raw, self.region))
                    present.add(e164)
            have = {g.name for g in customer.groups}
            for name in row.groups:
                if name not in have:
                    customer.groups.append(db.session.get(Group, self.group_ids[name]))
                    have.add(name)
            customer.refresh_keys()
        db.session.flush()
        self.updated += len(updates)


def run_import(job_id: int, base) -> ImportJob:
    """Check every row, then write (see the module's docstring). Commits as it goes."""
    job = db.session.get(ImportJob, job_id)
    settings = load_settings(base, job_id)
    if job is None or settings is None or not has_upload(base, job_id):
        if job is not None:
            _progress(job, status="failed", finished_at=utcnow())
        raise LookupError("import not found")
    employee_id = job.employee_id
    region = ShopSettings.get().phone_region
    parser = RowParser(settings["mapping"], region)
    _progress(job, status="running", processed_rows=0, created_count=0, updated_count=0,
              skipped_count=0, rejected_count=0, report=[])
    try:
        rejected = []
        for count, (line, cells) in enumerate(iter_rows(base, job_id, settings["delimiter"]), start=1):
            row = parser.parse(line, cells)
            if row.errors and len(rejected) < MAX_REPORT_ENTRIES:
                rejected.append({"line": line, "outcome": "rejected", "reasons": row.errors})
            if count % BATCH == 0:
                _progress(job, processed_rows=count)
        if rejected and not settings.get("valid_only"):
            # All or nothing: no row is written while one is refused.
            _progress(job, status="refused", processed_rows=job.total_rows, rejected_count=len(rejected),
                      report=rejected, finished_at=utcnow())
            return job

        _progress(job, status="writing", processed_rows=0)
        writer = _Writer(settings.get("duplicates", "skip"), region)
        batch: list[ParsedRow] = []
        processed = 0
        for line, cells in iter_rows(base, job_id, settings["delimiter"]):
            row = parser.parse(line, cells)
            processed += 1
            if not row.errors:
                batch.append(row)
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
                _progress(job, processed_rows=processed)
        if batch:
            writer.write(batch)
        report = sorted(rejected + writer.report, key=lambda entry: entry["line"])[:MAX_REPORT_ENTRIES]
        job.status = "done"
        job.processed_rows = processed
        job.created_count = writer.created
        job.updated_count = writer.updated
        job.skipped_count = writer.skipped
        job.rejected_count = len(rejected)
        job.report = report
        job.finished_at = utcnow()
        record("customers_imported", "import", job.id, count=writer.created + writer.updated,
               employee_id=employee_id,
               details={"created": writer.created, "updated": writer.updated, "skipped": writer.skipped,
                        "rejected": len(rejected)})
        db.session.commit()
        delete_upload(base, job_id)
        return job
    except Exception:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        _progress(job, status="failed", finished_at=utcnow())
        delete_upload(base, job_id)
        raise


def run_in_thread(app, job_id: int, base) -> None:
    """Run an import in a background thread with its own app context."""
    import threading

    def target():
        with app.app_context():
            try:
                run_import(job_id, base)
            except Exception:  # noqa: BLE001 - the job row says "failed"; the log says why
                app.logger.exception("customer import %s failed", job_id)
            finally:
                db.session.remove()

    threading.Thread(target=target, name=f"import-{job_id}", daemon=True).start()


def report_rows(job: ImportJob):
    """The report as CSV rows: a summary, then one row per skipped or rejected line."""
    yield [_("Résultat"), _("Nombre")]
    yield [_("Créés"), job.created_count]
    yield [_("Mis à jour"), job.updated_count]
    yield [_("Ignorés"), job.skipped_count]
    yield [_("Refusés"), job.rejected_count]
    yield []
    yield [_("Ligne"), _("Résultat"), _("Motif")]
    outcomes = {"skipped": _("Ignorée"), "rejected": _("Refusée")}
    for entry in job.report or []:
        yield [entry["line"], outcomes.get(entry["outcome"], entry["outcome"]),
               " ; ".join(reason_text(code) for code in entry["reasons"])]
