"""One cell of an import read as a value: the protective apostrophe a
spreadsheet puts before a number taken off, then the cell's text read as yes
or no, a whole number, an email, a phone, a country, a birthday, a discount
or an account profile. None means "cannot be read"; what to do then is the
row's business (rows.py).
"""
from __future__ import annotations

import re

from core import birthdays
from core.csv_cells import FORMULA_START
from core.emails import normalise_email
from core.phones import normalise
from core.textkeys import fold
from models.customers import DISCOUNTS

_TRUE = {"1", "yes", "y", "true", "oui", "o", "vrai", "x", "subscribed", "opted in", "optin", "opt in"}
_FALSE = {"0", "no", "n", "false", "non", "faux", "unsubscribed", "not subscribed", "opted out", "unknown", ""}
_NO_DISCOUNT = ("aucune", "none", "non", "no")
# What a spreadsheet-protecting apostrophe hides: a number, a phone, a postcode.
_NUMBER = re.compile(r"^[+-]?[\d\s.,]*\d[\d\s.,]*$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]*\d[\d\s().\-/]*$")
_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9]{2,5}[ -]?[A-Z0-9]{0,4}$")
# Country names the locale lists miss.
_COUNTRY_ALIASES = {"usa": "US", "u s a": "US", "united states of america": "US", "uk": "GB", "england": "GB",
                    "great britain": "GB", "vietnam": "VN", "viet nam": "VN", "holland": "NL",
                    "the netherlands": "NL", "angleterre": "GB", "hollande": "NL"}


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


def yes_no(text: str) -> bool | None:
    """True or False from the words the sources use ("oui", "subscribed", "0"...)."""
    folded = fold(text)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


def integer(text: str) -> int | None:
    """A whole number as a spreadsheet writes it ("1 200", "12,0"), ten digits at most."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    match = re.fullmatch(r"([+-]?\d+)(?:[.,]0+)?", cleaned)
    if not match or len(match.group(1)) > 10:
        return None
    return int(match.group(1))


def _countries() -> dict[str, str]:
    from babel import Locale
    names = {}
    for locale in ("fr", "en"):
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names[fold(name)] = code
    names.update(_COUNTRY_ALIASES)
    return names


class CellReader:
    """The readers that look a cell up (an email's domain, a phone's region,
    a country's name, a profile's word), each answer remembered: a file
    repeats the same values over its rows."""

    def __init__(self):
        self._phones: dict[tuple[str, str], str | None] = {}
        self._emails: dict[str, str | None] = {}
        self._country_codes: dict[str, str | None] = {}
        self._birthdays: dict[str, dict | None] = {}  # text -> the three columns, None: unreadable
        self._countries = None
        self._profiles = None

    def email(self, value: str) -> str | None:
        if len(value) > 254:
            return None
        if value not in self._emails:
            self._emails[value] = normalise_email(value)
        return self._emails[value]

    def phone(self, value: str, region: str) -> str | None:
        """The number in E.164, read in `region` unless it says its country."""
        key = (value, region)
        if key not in self._phones:
            self._phones[key] = normalise(value, region)
        return self._phones[key]

    def country(self, value: str) -> str | None:
        """ISO code from a code or a name, in French or English."""
        if value not in self._country_codes:
            if self._countries is None:
                self._countries = _countries()
                self._codes = set(self._countries.values())
            code = value.upper() if len(value) == 2 and value.upper() in self._codes else None
            self._country_codes[value] = code or self._countries.get(fold(value))
        return self._country_codes[value]

    def birthday(self, text: str) -> dict | None:
        """The customer's three birthday columns (the year may be missing)."""
        if text not in self._birthdays:
            try:
                parsed = birthdays.parse(text)
            except birthdays.BadBirthday:
                parsed = None
            self._birthdays[text] = parsed.columns() if parsed else None
        return self._birthdays[text]

    def discount(self, text: str) -> int | None:
        """One of the shop's discounts, in percent ("10", "10 %", "aucune")."""
        number = 0 if fold(text) in _NO_DISCOUNT else integer(text.rstrip("% \u00a0"))
        return number if number in DISCOUNTS else None

    def profile(self, value: str) -> str | None:
        """An account profile's code from its code or its label, in French or English."""
        if self._profiles is None:
            from blueprints.customers.labels import PROFILE_LABELS, codes_by_word
            self._profiles = codes_by_word(PROFILE_LABELS)
        return self._profiles.get(fold(value))
