"""Reading one row: the cells of a row turned into customer values.

A row is refused only when it is broken (its field count or quoting) or
identifies nobody (no name, company, email or phone). A value that cannot be
read costs that value, never the customer: a phone keeps its text as an
unverified number (e164 None), anything else goes to the comments, and the
row carries a warning (field, reason) and the customer `needs_review`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import birthdays
from blueprints.customers.importing.targets import TARGETS
from core.csv_cells import FORMULA_START
from core.emails import normalise_email
from core.phones import normalise
from core.textkeys import fold

_TRUE = {"1", "yes", "y", "true", "oui", "o", "vrai", "x", "subscribed", "opted in", "optin", "opt in"}
_FALSE = {"0", "no", "n", "false", "non", "faux", "unsubscribed", "not subscribed", "opted out", "unknown", ""}
# Consent cells (consent.py): a value that says neither yes nor no (Square's
# "not subscribed": never asked) records nothing, the state stays unknown.
_CONSENT_UNKNOWN = {"unknown", "inconnu", "not subscribed", "never subscribed", "pending", "en attente"}
CONSENT_TARGETS = ("email_marketing", "sms_marketing", "e_receipts", "no_email")
_PHONE_SPLIT = re.compile(r"[;/|,]")
# What a spreadsheet-protecting apostrophe hides: a number, a phone, a postcode.
_NUMBER = re.compile(r"^[+-]?[\d\s.,]*\d[\d\s.,]*$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]*\d[\d\s().\-/]*$")
_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9]{2,5}[ -]?[A-Z0-9]{0,4}$")
# Sources that put an apostrophe before every cell a spreadsheet might read
# as a number (Shopify's exports and import template).
_PROTECTING_HEADERS = {"default address zip", "default address phone", "accepts sms marketing", "tax exempt",
                       "default address address1", "accepts email marketing"}
# Country names the locale lists miss.
_COUNTRY_ALIASES = {"usa": "US", "u s a": "US", "united states of america": "US", "uk": "GB", "england": "GB",
                    "great britain": "GB", "vietnam": "VN", "viet nam": "VN", "holland": "NL",
                    "the netherlands": "NL", "angleterre": "GB", "hollande": "NL"}


@dataclass
class ParsedRow:
    line: int
    values: dict = field(default_factory=dict)  # Customer column -> value
    phones: list = field(default_factory=list)  # (raw, e164 or None: unverified)
    groups: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # refusals: the row is not imported
    warnings: list = field(default_factory=list)  # (field, reason code): imported, to check
    points: int | None = None  # an opening points balance (values["loyalty_member"] is True)
    # Consent decisions: {"target", "purpose", "state", "source_column", "text_shown"}.
    consents: list = field(default_factory=list)

    @property
    def email_key(self) -> str | None:
        email = self.values.get("email")
        return email.strip().lower() if email else None

    def shown(self, target: str):
        """What the preview shows in a target's column: the value the row will
        write for it (a target such as Lightspeed's street number feeds another
        field; a year-less birthday is three columns)."""
        if target == "phone":
            return ", ".join(raw for raw, _e164 in self.phones)
        if target == "groups":
            return ", ".join(self.groups)
        if target == "points":
            return self.points
        if target == "birthday":
            birthday = birthdays.Birthday.of(_Columns(self.values))
            return birthday.iso() if birthday else None
        if target == "full_name":
            return " ".join(v for v in (self.values.get("first_name"), self.values.get("last_name")) if v)
        if target in ("street_name", "house_number", "house_extension"):
            return self.values.get("address_line1")
        if target == "last_name_prefix":
            return self.values.get("last_name")
        if target in CONSENT_TARGETS:
            from blueprints.customers.consent import STATE_LABELS
            return next((str(STATE_LABELS[c["state"]]) for c in self.consents if c["target"] == target), None)
        return self.values.get(target)


class _Columns:
    """A row's values read like a customer's columns (birthdays.Birthday.of)."""

    def __init__(self, values: dict):
        self.birthday = values.get("birthday")
        self.birthday_month = values.get("birthday_month")
        self.birthday_day = values.get("birthday_day")


def _countries() -> dict[str, str]:
    from babel import Locale
    names = {}
    for locale in ("fr", "en"):
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names[fold(name)] = code
    names.update(_COUNTRY_ALIASES)
    return names


def protects_cells(headers: list[str] | None) -> bool:
    """Whether these headers are those of a source that protects cells with `'`."""
    return bool(headers) and len({fold(h) for h in headers} & _PROTECTING_HEADERS) >= 2


def unprotect(cell: str, every_cell: bool = False) -> str:
    """The cell without one protective leading apostrophe: always before a
    formula start (our own export's neutralising), a number, a phone or a
    postcode; before anything in a source known to add it (every_cell)."""
    if len(cell) > 1 and cell[0] == "'":
        rest = cell[1:]
        if every_cell or rest[0] in FORMULA_START or _NUMBER.match(rest) or _PHONE.match(rest) \
                or _POSTCODE.match(rest):
            return rest
    return cell


def _integer(text: str) -> int | None:
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    match = re.fullmatch(r"([+-]?\d+)(?:[.,]0+)?", cleaned)
    if not match or len(match.group(1)) > 10:
        return None
    return int(match.group(1))


class RowParser:
    """Turns the cells of a row into customer values, refusals and warnings,
    for one mapping. Phone, email and country checks are remembered: the rows
    are read twice.

    `headers` (optional): the file's header row, to recognise a source that
    protects every cell with an apostrophe; `strict_width`: refuse a row
    whose field count differs from the header's (a broken line)."""

    def __init__(self, mapping: list[str], region: str, headers: list[str] | None = None,
                 strict_width: bool = True):
        self.mapping = mapping
        self.region = region
        self.strip_every_cell = protects_cells(headers)
        self.headers = headers
        self.strict_width = strict_width
        self._phones: dict[tuple[str, str], str | None] = {}
        self._emails: dict[str, str | None] = {}
        self._country_codes: dict[str, str | None] = {}
        self._birthdays: dict[str, dict | None] = {}  # text -> the three columns, None: unreadable
        self._countries = None
        self._profiles = None

    def _email(self, value: str) -> str | None:
        if value not in self._emails:
            self._emails[value] = normalise_email(value)
        return self._emails[value]

    def _phone(self, value: str, region: str) -> str | None:
        key = (value, region)
        if key not in self._phones:
            self._phones[key] = normalise(value, region)
        return self._phones[key]

    def _country(self, value: str) -> str | None:
        """ISO code from a code or a name, in French or English."""
        if value not in self._country_codes:
            if self._countries is None:
                self._countries = _countries()
                self._codes = set(self._countries.values())
            code = value.upper() if len(value) == 2 and value.upper() in self._codes else None
            self._country_codes[value] = code or self._countries.get(fold(value))
        return self._country_codes[value]

    def _birthday(self, text: str) -> dict | None:
        if text not in self._birthdays:
            try:
                parsed = birthdays.parse(text)
            except birthdays.BadBirthday:
                parsed = None
            self._birthdays[text] = parsed.columns() if parsed else None
        return self._birthdays[text]

    def _profile(self, value: str) -> str | None:
        if self._profiles is None:
            from blueprints.customers.labels import PROFILE_LABELS, codes_by_word
            self._profiles = codes_by_word(PROFILE_LABELS)
        return self._profiles.get(fold(value))

    def _consents(self, cells: list[str], row: ParsedRow, unreadable) -> None:
        """Consent cells, each with its column's header as the proof."""
        for index, target in enumerate(self.mapping):
            if target not in CONSENT_TARGETS or index >= len(cells):
                continue
            cell = unprotect(cells[index].strip(), self.strip_every_cell).strip()
            folded = fold(cell)
            if not folded or folded in _CONSENT_UNKNOWN:
                continue
            if folded in _TRUE:
                state = "yes"
            elif folded in _FALSE:
                state = "no"
            else:
                unreadable(target, "invalid_value", cell)
                continue
            purpose = target
            if target == "no_email":  # "No Email: true" refuses; false tells nothing
                if state == "no":
                    continue
                purpose, state = "email_marketing", "no"
            column = self.headers[index] if self.headers and index < len(self.headers) else target
            row.consents.append({"target": target, "purpose": purpose, "state": state,
                                 "source_column": column, "text_shown": cell[:200]})

    def _broken(self, cells: list[str]) -> bool:
        """A line whose field count is not the header's, or whose quoting is
        broken: an unclosed quote swallows the following lines into one cell,
        which then ends with a line break and holds a delimiter after one."""
        if self.strict_width and len(cells) != len(self.mapping):
            if len(cells) < len(self.mapping) or any(c.strip() for c in cells[len(self.mapping):]):
                return True
        for cell in cells:
            if cell.endswith(("\n", "\r")) and re.search(r"[\r\n][^\r\n]*[,;\t|]", cell):
                return True
        return False

    def parse(self, line: int, cells: list[str]) -> ParsedRow:
        row = ParsedRow(line)
        if self._broken(cells):
            row.errors.append("broken_line")
            return row
        raw: dict[str, list[str]] = {}
        for index, target in enumerate(self.mapping):
            if not target or index >= len(cells):
                continue
            cell = unprotect(cells[index].strip(), self.strip_every_cell).strip()
            if cell:
                raw.setdefault(target, []).append(cell)
        values = row.values
        notes: list[str] = []

        def single(key):
            return raw[key][0] if key in raw else None

        def unreadable(key: str, reason: str, text: str) -> None:
            row.warnings.append((key, reason))
            notes.append(f"{TARGETS[key].label} : {text}")

        for key in ("first_name", "last_name", "company", "address_line1", "address_line2", "postal_code", "city",
                    "tax_id"):
            value = single(key)
            if value is not None:
                if len(value) > TARGETS[key].limit:
                    unreadable(key, f"too_long:{key}", value)
                else:
                    values[key] = value
        prefix = single("last_name_prefix")
        if prefix and values.get("last_name"):
            combined = f"{prefix} {values['last_name']}"
            if len(combined) <= TARGETS["last_name"].limit:
                values["last_name"] = combined
        elif prefix and "last_name" not in raw:
            values["last_name"] = prefix[:TARGETS["last_name"].limit]
        full = single("full_name")
        if full and not values.get("first_name") and not values.get("last_name"):
            first, _sep, last = full.partition(" ")
            if len(first) > 100 or len(last) > 100:
                unreadable("full_name", "too_long:full_name", full)
            else:
                values["first_name"], values["last_name"] = first, (last.strip() or None)
        self._street(raw, values, unreadable)
        email = single("email")
        if email is not None:
            normalised = self._email(email) if len(email) <= 254 else None
            if normalised is None:
                unreadable("email", "invalid_email", email)
            else:
                values["email"] = normalised
        country = single("country")
        region = self.region
        if country is not None:
            code = self._country(country)
            if code is None:
                unreadable("country", "invalid_country", country)
            else:
                values["country"] = code
                region = code
        self._phones_of(raw, row, region, unreadable)
        birthday = single("birthday")
        if birthday is not None:
            columns = self._birthday(birthday)
            if columns is None:
                unreadable("birthday", "invalid_birthday", birthday)
            else:
                values.update(columns)
        self._consents(cells, row, unreadable)
        for key in ("archived", "loyalty_member"):
            value = single(key)
            if value is not None:
                folded = fold(value)
                if folded in _TRUE:
                    values[key] = True
                elif folded in _FALSE:
                    values[key] = False
                else:
                    unreadable(key, "invalid_value", value)
        self._settings(raw, values, unreadable)
        points = single("points")
        if points is not None:
            number = _integer(points)
            if number is None or abs(number) >= 10**9:
                unreadable("points", "invalid_points", points)
            elif values.get("loyalty_member") is False:
                if number:
                    unreadable("points", "points_not_member", points)
            elif number or values.get("loyalty_member"):
                values["loyalty_member"] = True
                row.points = number
        if "groups" in raw:
            names = []
            for name in raw["groups"][0].split(","):
                name = " ".join(name.split())
                if name and name not in names:
                    if len(name) > 80:
                        unreadable("groups", "too_long:groups", name)
                        continue
                    names.append(name)
            row.groups = names
        comments = "\n".join(raw.get("comments", []))
        if notes:
            heading = _("Valeurs illisibles à l’import, à vérifier :")
            comments = "\n".join(part for part in (comments, heading, *notes) if part)
            values["needs_review"] = True
        elif any(e164 is None for _raw, e164 in row.phones):
            values["needs_review"] = True
        if comments:
            values["comments"] = comments
        if not (values.get("first_name") or values.get("last_name") or values.get("company")
                or values.get("email") or row.phones):
            row.errors.append("no_identity")
        return row

    def _street(self, raw: dict, values: dict, unreadable) -> None:
        """Lightspeed eCom: street name, house number and its extension make
        the address line ("Keizersgracht 123A"). A number without any street
        (a "Number" column of another system) is not an address."""
        street = raw.get("street_name", [None])[0] or values.get("address_line1")
        number = raw.get("house_number", [None])[0]
        extension = raw.get("house_extension", [None])[0]
        if not street or not (number or extension or "street_name" in raw):
            return
        if extension and len(extension) <= 2 and number:
            number_part = f"{number}{extension}"
        else:
            number_part = " ".join(part for part in (number, extension) if part)
        line = " ".join(part for part in (street, number_part) if part)
        if len(line) > TARGETS["address_line1"].limit:
            unreadable("street_name", "too_long:address_line1", line)
        else:
            values["address_line1"] = line

    def _phones_of(self, raw: dict, row: ParsedRow, region: str, unreadable) -> None:
        """Each number read in the row's own country (else the shop's); one
        that cannot be read is kept as typed, unverified (e164 None)."""
        for cell in raw.get("phone", []):
            for part in (part.strip() for part in _PHONE_SPLIT.split(cell)):
                if not part:
                    continue
                if len(part) > TARGETS["phone"].limit:
                    unreadable("phone", "too_long:phone", part)
                    continue
                e164 = self._phone(part, region)
                if e164 is None and region != self.region:
                    e164 = self._phone(part, self.region)
                if e164 is None:
                    row.warnings.append(("phone", "invalid_phone"))
                    if (part, None) not in row.phones:
                        row.phones.append((part, None))
                elif e164 not in (p[1] for p in row.phones):
                    row.phones.append((part, e164))

    def _settings(self, raw: dict, values: dict, unreadable) -> None:
        from models.customers import DISCOUNTS
        discount = raw.get("default_discount", [None])[0]
        if discount is not None:
            folded = fold(discount)
            number = 0 if folded in ("aucune", "none", "non", "no") else _integer(discount.rstrip("% \u00a0"))
            if number not in DISCOUNTS:
                unreadable("default_discount", "invalid_value", discount)
            else:
                values["default_discount"] = number
        profile = raw.get("account_profile", [None])[0]
        if profile is not None:
            code = self._profile(profile)
            if code is None:
                unreadable("account_profile", "invalid_value", profile)
            else:
                values["account_profile"] = code


REASONS = {
    "broken_line": _l("Ligne mal formée (nombre de cellules ou guillemets) : elle n’est pas importée"),
    "no_identity": _l("Ni nom, ni courriel, ni téléphone"),
    "invalid_email": _l("Courriel invalide"),
    "invalid_phone": _l("Téléphone non reconnu (gardé tel quel, non vérifié)"),
    "no_name_no_email": _l("Ni nom ni courriel"),
    "invalid_birthday": _l("Date de naissance invalide"),
    "invalid_country": _l("Pays non reconnu"),
    "invalid_points": _l("Solde de points illisible"),
    "points_not_member": _l("Points d’un client qui n’est pas membre du programme"),
    "invalid_value": _l("Valeur non reconnue"),
    "too_many_columns": _l("Plus de cellules que de colonnes dans l’en-tête"),
    "duplicate_email": _l("Déjà dans le répertoire (même courriel)"),
    "duplicate_phone": _l("Déjà dans le répertoire (même téléphone)"),
    "duplicate_in_file": _l("Doublon d’une ligne précédente du fichier"),
}


def reason_text(code: str) -> str:
    if code.startswith("too_long:"):
        target = TARGETS.get(code.split(":", 1)[1])
        return _("Valeur trop longue : %(field)s", field=target.label if target else "?")
    return str(REASONS.get(code, code))


def warning_text(field_key: str, code: str) -> str:
    """"Téléphone : Téléphone non reconnu…" for the report."""
    target = TARGETS.get(field_key)
    return f"{target.label if target else field_key} : {reason_text(code)}"
