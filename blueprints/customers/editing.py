"""Editing a customer one section at a time, as the restaurant back office does
(seed 002): *Détails*, *Coordonnées*, *Adresse postale* and *Commentaires* each
with Modifier > Enregistrer; *Profil*, *Réduction* and *Autoriser les
notifications par courriel* saved on change.

Every save obeys two rules:
- optimistic locking: a form carries the version of the customer it was read
  at; if someone saved in between, the save is refused (StaleCustomerError)
  and nothing is overwritten;
- a contact field the employee may not edit is refused (ForbiddenFieldError,
  a 403), even in a forged request: `editable` comes from permissions.field_level.

The caller commits, or rolls back on any error.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core.audit import record
from blueprints.customers import validation
from blueprints.customers.service import CustomerError
from extensions import db
from models import Customer, Phone
from models.base import utcnow
from models.customers import ACCOUNT_PROFILES, DISCOUNTS
from core.phones import display_form

UNSET = object()  # a field the form did not send: left as it is
ADDRESS_FIELDS = ("address_line1", "address_line2", "postal_code", "city", "country")


class StaleCustomerError(CustomerError):
    """Someone else saved this customer after the form was opened."""

    def __init__(self):
        super().__init__(_("Ce client a été modifié par quelqu’un d’autre pendant que vous l’éditiez. "
                           "Rechargez la fiche pour voir ses informations à jour, puis recommencez."),
                         field="version")


class ForbiddenFieldError(CustomerError):
    """A field this employee may not edit was sent (a forged form): a 403."""

    def __init__(self, field: str):
        super().__init__(_("Votre ensemble d’autorisations ne permet pas cette action."), field=field)


@dataclass
class PhoneChange:
    """One row of the phone list: an existing number (id) edited or removed,
    or a new one (id None). `key` names the form field for its error."""
    id: int | None
    raw: str
    key: str
    remove: bool = False


def check_version(customer: Customer, version) -> None:
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise StaleCustomerError() from None
    if version != customer.version:
        raise StaleCustomerError()


def _require(editable: set[str], field: str) -> None:
    if field not in editable:
        raise ForbiddenFieldError(field)


def _save(customer: Customer, fields: list[str]) -> list[str]:
    """Write what changed, bumping the version (the UPDATE itself checks the
    version read, so a save racing another one fails instead of winning)."""
    if not fields:
        return fields
    customer.updated_at = utcnow()  # the row changes even when only phones did
    customer.refresh_keys()
    record("customer_updated", "customer", customer.id, details={"fields": sorted(set(fields))})
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleCustomerError() from None
    return fields


def _assign(customer: Customer, values: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    return changed


def update_details(customer: Customer, *, version, first_name: str | None, last_name: str | None,
                   birthday=None, tax_id: str | None = None, company=UNSET) -> list[str]:
    """First and last name, company, birthday (with or without its year) and
    tax ID (Identifiant fiscal)."""
    check_version(customer, version)
    errors: dict[str, str] = {}
    values = validation.details(errors, first_name=first_name, last_name=last_name, birthday_typed=birthday,
                                tax_id=tax_id)
    if company is not UNSET:
        values["company"] = validation.text(company, "company", errors)
    if not values["first_name"] and not values["last_name"] and "first_name" not in errors:
        errors["first_name"] = _("Saisissez un prénom ou un nom.")
    validation.raise_if(errors)
    return _save(customer, _assign(customer, values))


def update_contact(customer: Customer, *, version, editable: set[str], region: str,
                   email=UNSET, phones=UNSET) -> list[str]:
    """Coordonnées: the email and the list of phone numbers. Each number is
    normalised with the shop's region; an invalid one is refused beside it. A
    number that another customer also has is accepted (families share a
    landline); the profile flags it."""
    if email is not UNSET:
        _require(editable, "email")
    if phones is not UNSET:
        _require(editable, "phone")
    check_version(customer, version)
    errors: dict[str, str] = {}
    changed: list[str] = []

    if email is not UNSET:
        cleaned = validation.email(email, errors)
        if "email" not in errors and cleaned != customer.email:
            customer.email = cleaned
            changed.append("email")

    if phones is not UNSET:
        changed += _apply_phones(customer, phones, region, errors)

    validation.raise_if(errors)
    return _save(customer, changed)


def _apply_phones(customer: Customer, changes: list[PhoneChange], region: str, errors: dict) -> list[str]:
    existing = {phone.id: phone for phone in customer.phones if phone.linked}
    keep: dict[str, str] = {}  # e164 -> form key, to refuse the same number twice
    plan = []
    for change in changes:
        phone = existing.get(change.id) if change.id is not None else None
        if change.id is not None and phone is None:
            continue  # not one of this customer's linked numbers: never touched
        if change.remove or not change.raw.strip():
            if phone is not None:
                plan.append(("remove", phone, None))
            continue
        if phone is not None and phone.e164 is None and change.raw.strip() == phone.raw:
            continue  # an unverified number (an import kept it as typed), left as it is
        parsed = validation.phone(change.raw, region, errors, change.key)
        if parsed is None:
            continue
        raw, e164 = parsed
        if e164 in keep:
            errors[change.key] = _("Ce numéro est déjà dans la liste.")
            continue
        keep[e164] = change.key
        plan.append(("edit" if phone else "add", phone, (raw, e164)))
    if errors:
        return []
    changed = False
    for action, phone, value in plan:
        if action == "remove":
            customer.phones.remove(phone)
            changed = True
        elif action == "edit":
            raw, e164 = value
            if phone.raw != raw[:40] or phone.e164 != e164:
                phone.raw, phone.e164, phone.digits = raw[:40], e164, e164.lstrip("+")
                phone.display = display_form(e164, raw, region)[:40]
                changed = True
        else:
            raw, e164 = value
            customer.phones.append(Phone(raw=raw[:40], e164=e164, digits=e164.lstrip("+"), label="mobile",
                                         display=display_form(e164, raw, region)[:40]))
            changed = True
    return ["phone"] if changed else []


def update_address(customer: Customer, *, version, editable: set[str], address_line1: str | None,
                   address_line2: str | None, postal_code: str | None, city: str | None,
                   country: str | None) -> list[str]:
    _require(editable, "address")
    check_version(customer, version)
    errors: dict[str, str] = {}
    values = {"address_line1": validation.text(address_line1, "address_line1", errors),
              "address_line2": validation.text(address_line2, "address_line2", errors),
              "postal_code": validation.text(postal_code, "postal_code", errors),
              "city": validation.text(city, "city", errors),
              "country": validation.country(country, errors)}
    validation.raise_if(errors)
    return _save(customer, ["address"] if _assign(customer, values) else [])


def mark_reviewed(customer: Customer) -> list[str]:
    """"C'est vérifié": the values an import could not read have been checked."""
    if not customer.needs_review:
        return []
    customer.needs_review = False
    return _save(customer, ["needs_review"])


def update_comments(customer: Customer, *, version, comments: str | None) -> list[str]:
    check_version(customer, version)
    errors: dict[str, str] = {}
    value = validation.text(comments, "comments", errors)
    validation.raise_if(errors)
    return _save(customer, _assign(customer, {"comments": value}))


def update_settings(customer: Customer, *, version, editable: set[str], account_profile=UNSET,
                    default_discount=UNSET) -> list[str]:
    """Profil and Réduction: they need "discounts" among the editable fields
    (Clients – Remises et profil). Autoriser les notifications par courriel
    is a consent (consent.py)."""
    if account_profile is not UNSET or default_discount is not UNSET:
        _require(editable, "discounts")
    check_version(customer, version)
    errors: dict[str, str] = {}
    values = {}
    if account_profile is not UNSET:
        if account_profile not in ACCOUNT_PROFILES:
            errors["account_profile"] = _("Choisissez une option de la liste.")
        values["account_profile"] = account_profile
    if default_discount is not UNSET:
        try:
            default_discount = int(default_discount)
        except (TypeError, ValueError):
            default_discount = None
        if default_discount not in DISCOUNTS:
            errors["default_discount"] = _("Choisissez une option de la liste.")
        values["default_discount"] = default_discount
    validation.raise_if(errors)
    return _save(customer, _assign(customer, values))


def shared_contacts(customer: Customer, *, email: bool = True, phones: bool = True) -> dict:
    """Other customers who have this customer's email or one of their linked
    numbers: {"email": [(id, name)], phone_id: [(id, name)]}. One query each,
    for the profile's "also linked to" flag (shown only to who sees the value)."""
    result: dict = {}
    numbers = {phone.e164: phone.id for phone in customer.phones if phone.linked and phone.e164}
    if numbers and phones:
        rows = db.session.execute(
            select(Phone.e164, Customer.id, Customer.first_name, Customer.last_name)
            .join(Customer, Customer.id == Phone.customer_id)
            .where(Phone.e164.in_(list(numbers)), Phone.linked.is_(True), Customer.id != customer.id,
                   Customer.anonymised.is_(False))
            .order_by(Customer.id).limit(20))
        for e164, other_id, first, last in rows:
            result.setdefault(numbers[e164], []).append((other_id, _name(other_id, first, last)))
    if customer.email_key and email:
        rows = db.session.execute(
            select(Customer.id, Customer.first_name, Customer.last_name)
            .where(Customer.email_key == customer.email_key, Customer.id != customer.id,
                   Customer.anonymised.is_(False))
            .order_by(Customer.id).limit(5))
        result["email"] = [(other_id, _name(other_id, first, last)) for other_id, first, last in rows]
    return result


def _name(customer_id: int, first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part) or f"#{customer_id}"
