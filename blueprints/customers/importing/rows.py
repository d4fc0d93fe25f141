"""Reading one row: the cells of a row turned into customer values.

A row is refused only when it is broken (its field count or quoting) or
identifies nobody (no name, company, email or phone). A value that cannot be
read costs that value, never the customer: a phone keeps its text as an
unverified number (e164 None), anything else goes to the comments, and the
row carries a warning (field, reason) and the customer `needs_review`.
How one cell is read is in cells.py; the words of the reasons in report.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from blueprints.customers.importing.cells import CellReader, integer, unprotect, yes_no
from blueprints.customers.importing.sources import protects_cells
from blueprints.customers.importing.targets import TARGETS
from core import birthdays
from core.textkeys import fold

# Consent cells (consent.py): a value that says neither yes nor no (Square's
# "not subscribed": never asked) records nothing, the state stays unknown.
_CONSENT_UNKNOWN = {"unknown", "inconnu", "not subscribed", "never subscribed", "pending", "en attente"}
CONSENT_TARGETS = ("email_marketing", "sms_marketing", "e_receipts", "no_email")
_PHONE_SPLIT = re.compile(r"[;/|,]")


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


class _Reading:
    """One row while it is read: its mapped cells (target -> texts), and what
    could not be read (a warning each, and a note for the comments)."""

    def __init__(self, row: ParsedRow, raw: dict[str, list[str]]):
        self.row = row
        self.raw = raw
        self.notes: list[str] = []

    def single(self, key: str) -> str | None:
        return self.raw[key][0] if key in self.raw else None

    def unreadable(self, key: str, reason: str, text: str) -> None:
        self.row.warnings.append((key, reason))
        self.notes.append(f"{TARGETS[key].label} : {text}")

    def read(self, key: str, reason: str, reader):
        """The target's cell as `reader` reads it: None when the row has no
        such cell, or when the reader cannot read it (then it is noted)."""
        text = self.single(key)
        if text is None:
            return None
        value = reader(text)
        if value is None:
            self.unreadable(key, reason, text)
        return value


class RowParser:
    """Turns the cells of a row into customer values, refusals and warnings,
    for one mapping.

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
        self.read = CellReader()

    def _cell(self, cells: list[str], index: int) -> str:
        return unprotect(cells[index].strip(), self.strip_every_cell).strip()

    def _consents(self, cells: list[str], row: ParsedRow, unreadable) -> None:
        """Consent cells, each with its column's header as the proof."""
        for index, target in enumerate(self.mapping):
            if target not in CONSENT_TARGETS or index >= len(cells):
                continue
            cell = self._cell(cells, index)
            folded = fold(cell)
            if not folded or folded in _CONSENT_UNKNOWN:
                continue
            answer = yes_no(cell)
            if answer is None:
                unreadable(target, "invalid_value", cell)
                continue
            state = "yes" if answer else "no"
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
            cell = self._cell(cells, index)
            if cell:
                raw.setdefault(target, []).append(cell)
        reading = _Reading(row, raw)
        values = row.values
        self._names(reading, values)
        self._street(reading, values)
        email = reading.read("email", "invalid_email", self.read.email)
        if email is not None:
            values["email"] = email
        region = self.region
        country = reading.read("country", "invalid_country", self.read.country)
        if country is not None:
            values["country"] = region = country
        self._phones_of(reading, region)
        birthday = reading.read("birthday", "invalid_birthday", self.read.birthday)
        if birthday is not None:
            values.update(birthday)
        self._consents(cells, row, reading.unreadable)
        for key in ("archived", "loyalty_member"):
            answer = reading.read(key, "invalid_value", yes_no)
            if answer is not None:
                values[key] = answer
        discount = reading.read("default_discount", "invalid_value", self.read.discount)
        if discount is not None:
            values["default_discount"] = discount
        profile = reading.read("account_profile", "invalid_value", self.read.profile)
        if profile is not None:
            values["account_profile"] = profile
        self._points(reading, values)
        self._groups(reading)
        comments = "\n".join(raw.get("comments", []))
        if reading.notes:
            heading = _("Valeurs illisibles à l’import, à vérifier :")
            comments = "\n".join(part for part in (comments, heading, *reading.notes) if part)
            values["needs_review"] = True
        elif any(e164 is None for _raw, e164 in row.phones):
            values["needs_review"] = True
        if comments:
            values["comments"] = comments
        if not (values.get("first_name") or values.get("last_name") or values.get("company")
                or values.get("email") or row.phones):
            row.errors.append("no_identity")
        return row

    def _names(self, reading: _Reading, values: dict) -> None:
        """The plain text fields, then the name: a particle joins the last
        name; a full name is split only when the file has no first or last name."""
        for key in ("first_name", "last_name", "company", "address_line1", "address_line2", "postal_code", "city",
                    "tax_id"):
            value = reading.single(key)
            if value is not None:
                if len(value) > TARGETS[key].limit:
                    reading.unreadable(key, f"too_long:{key}", value)
                else:
                    values[key] = value
        prefix = reading.single("last_name_prefix")
        if prefix and values.get("last_name"):
            combined = f"{prefix} {values['last_name']}"
            if len(combined) <= TARGETS["last_name"].limit:
                values["last_name"] = combined
        elif prefix and "last_name" not in reading.raw:
            values["last_name"] = prefix[:TARGETS["last_name"].limit]
        full = reading.single("full_name")
        if full and not values.get("first_name") and not values.get("last_name"):
            first, _sep, last = full.partition(" ")
            if len(first) > 100 or len(last) > 100:
                reading.unreadable("full_name", "too_long:full_name", full)
            else:
                values["first_name"], values["last_name"] = first, (last.strip() or None)

    def _street(self, reading: _Reading, values: dict) -> None:
        """Lightspeed eCom: street name, house number and its extension make
        the address line ("Keizersgracht 123A"). A number without any street
        (a "Number" column of another system) is not an address."""
        street = reading.single("street_name") or values.get("address_line1")
        number = reading.single("house_number")
        extension = reading.single("house_extension")
        if not street or not (number or extension or "street_name" in reading.raw):
            return
        if extension and len(extension) <= 2 and number:
            number_part = f"{number}{extension}"
        else:
            number_part = " ".join(part for part in (number, extension) if part)
        line = " ".join(part for part in (street, number_part) if part)
        if len(line) > TARGETS["address_line1"].limit:
            reading.unreadable("street_name", "too_long:address_line1", line)
        else:
            values["address_line1"] = line

    def _phones_of(self, reading: _Reading, region: str) -> None:
        """Each number read in the row's own country (else the shop's); one
        that cannot be read is kept as typed, unverified (e164 None)."""
        row = reading.row
        for cell in reading.raw.get("phone", []):
            for part in (part.strip() for part in _PHONE_SPLIT.split(cell)):
                if not part:
                    continue
                if len(part) > TARGETS["phone"].limit:
                    reading.unreadable("phone", "too_long:phone", part)
                    continue
                e164 = self.read.phone(part, region)
                if e164 is None and region != self.region:
                    e164 = self.read.phone(part, self.region)
                if e164 is None:
                    row.warnings.append(("phone", "invalid_phone"))
                    if (part, None) not in row.phones:
                        row.phones.append((part, None))
                elif e164 not in (p[1] for p in row.phones):
                    row.phones.append((part, e164))

    def _points(self, reading: _Reading, values: dict) -> None:
        """An opening balance makes a member; points for a declared non-member are not kept."""
        points = reading.single("points")
        if points is None:
            return
        number = integer(points)
        if number is None or abs(number) >= 10**9:
            reading.unreadable("points", "invalid_points", points)
        elif values.get("loyalty_member") is False:
            if number:
                reading.unreadable("points", "points_not_member", points)
        elif number or values.get("loyalty_member"):
            values["loyalty_member"] = True
            reading.row.points = number

    def _groups(self, reading: _Reading) -> None:
        """The groups of one cell, comma-separated, each once."""
        if "groups" not in reading.raw:
            return
        names = []
        for name in reading.raw["groups"][0].split(","):
            name = " ".join(name.split())
            if name and name not in names:
                if len(name) > 80:
                    reading.unreadable("groups", "too_long:groups", name)
                    continue
                names.append(name)
        reading.row.groups = names
