"""Checking what is typed into a customer record: email syntax, phone numbers
in the shop's region, a birthday, a country. Shared by adding and editing."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from blueprints.customers.service import CustomerError
from core.emails import normalise_email
from core.phones import normalise

LIMITS = {"first_name": 100, "last_name": 100, "company": 200, "email": 254, "address_line1": 200, "address_line2": 200,
          "postal_code": 20, "city": 100, "tax_id": 40, "comments": 5000, "phone": 40}


class FieldErrors(CustomerError):
    """Several fields refused at once: {field name: message}."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, first_field)
        self.errors = errors


def _too_long(value: str, limit: str, errors: dict, field: str) -> bool:
    """Whether the value is longer than LIMITS[limit] (an error beside
    `field` then: never silently cut)."""
    maximum = LIMITS.get(limit, 200)
    if len(value) > maximum:
        errors[field] = _("%(max)s caractères au plus.", max=maximum)
        return True
    return False


def text(value: str | None, field: str, errors: dict) -> str | None:
    """Trimmed text or None; too long is an error (never silently cut)."""
    value = (value or "").strip()
    _too_long(value, field, errors, field)
    return value or None


def details(errors: dict, *, first_name: str | None, last_name: str | None, birthday_typed,
            tax_id: str | None) -> dict:
    """The Détails columns of what was typed, the company aside (adding and
    editing each decide whether it was given): names, birthday, tax ID."""
    return {"first_name": text(first_name, "first_name", errors),
            "last_name": text(last_name, "last_name", errors),
            **birthday(birthday_typed, errors),
            "tax_id": text(tax_id, "tax_id", errors)}


def email(value: str | None, errors: dict, field: str = "email") -> str | None:
    """The address, normalised (domain lower-cased), syntax checked only: a
    shop cannot wait for a DNS answer at the counter."""
    value = (value or "").strip()
    if not value:
        return None
    if _too_long(value, "email", errors, field):
        return value
    normalised = normalise_email(value)
    if normalised is None:
        errors[field] = _("Cette adresse courriel n’est pas valide.")
        return value
    return normalised


def phone(value: str | None, region: str, errors: dict, field: str) -> tuple[str, str] | None:
    """(as typed, E.164) of a valid number, or None when empty; an invalid
    number is an error beside that number."""
    value = (value or "").strip()
    if not value:
        return None
    if _too_long(value, "phone", errors, field):
        return None
    e164 = normalise(value, region)
    if not e164:
        errors[field] = _("Ce numéro de téléphone n’est pas valide.")
        return None
    return value, e164


def birthday(value, errors: dict, today: date | None = None) -> dict:
    """The three birthday columns (birthdays.Birthday.columns) of what was
    typed: 17/04/1990, 1990-04-17, or 17/04 when the year is not known."""
    from core import birthdays
    if value in (None, ""):
        return dict(birthdays.NO_BIRTHDAY)
    if isinstance(value, date):
        value = value.isoformat()
    try:
        parsed = birthdays.parse(str(value), today=today or date.today())
    except birthdays.BadBirthday:
        errors["birthday"] = _("Cette date n’est pas valide.")
        return dict(birthdays.NO_BIRTHDAY)
    return parsed.columns() if parsed else dict(birthdays.NO_BIRTHDAY)


def country(value: str | None, errors: dict) -> str | None:
    value = (value or "").strip().upper()
    if not value:
        return None
    if len(value) != 2 or not value.isalpha():
        errors["country"] = _("Choisissez un pays de la liste.")
        return None
    return value


def raise_if(errors: dict) -> None:
    if errors:
        raise FieldErrors(errors)
