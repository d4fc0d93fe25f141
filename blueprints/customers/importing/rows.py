"""Reading one row: the cells of a row turned into customer values, and the
reasons a row cannot be imported."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.customers.importing.targets import TARGETS
from emails import normalise_email
from phones import normalise
from textkeys import fold

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_TRUE = {"1", "yes", "y", "true", "oui", "o", "vrai", "x", "subscribed", "opted in", "optin", "opt in"}
_PHONE_SPLIT = re.compile(r"[;/|,]")


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
            self._emails[value] = normalise_email(value)
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
