"""A member's name and phones, changed from the loyalty screens: a first or
last name edited in the list, and an old number unlinked in the panel
(seed 003) without leaving the member with no username."""
from __future__ import annotations

from flask_babel import gettext as _

from blueprints.loyalty.rules import NAME_MAX, LoyaltyError, clean_name
from core.audit import record
from extensions import db
from models import Customer, Phone
from models.base import utcnow

# The part of a name the list edits, as it is named in the URL.
NAME_PARTS = {"first": "first_name", "last": "last_name"}


def rename(customer: Customer, part: str, value: str, employee_id: int | None) -> bool:
    """Change a first or last name (double-click in the list). Returns whether
    anything changed; an unchanged value writes nothing."""
    attribute = NAME_PARTS[part]
    value = clean_name(value)
    if not value:
        raise LoyaltyError(_("Saisissez le prénom.") if part == "first" else _("Saisissez le nom."), "value")
    if len(value) > NAME_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=NAME_MAX), "value")
    if getattr(customer, attribute) == value:
        return False
    setattr(customer, attribute, value)
    customer.refresh_keys()
    db.session.flush()
    record("customer_updated", "customer", customer.id, employee_id=employee_id,
           details={"fields": [attribute], "via": "loyalty"})
    return True


def username_after_unlink(customer: Customer, phone_id: int) -> str:
    """What the member's username would be without this number: "phone"
    (another linked number remains), "email" (only the address remains) or
    "none" (no username at all: refused)."""
    if any(p.linked and p.id != phone_id for p in customer.phones):
        return "phone"
    return "email" if customer.email else "none"


def unlink_phone(customer: Customer, phone_id: int, employee_id: int | None) -> Phone:
    """Seed 003: an old number is unlinked. It stays in the history but no
    longer finds the customer as a username or in a search. The member's only
    number is unlinked only when an email address remains as their username."""
    phone = next((p for p in customer.phones if p.id == phone_id), None)
    if phone is None:
        raise LookupError(phone_id)
    if phone.linked and customer.loyalty_member and username_after_unlink(customer, phone_id) == "none":
        raise LoyaltyError(_("Ce numéro est le seul nom d’utilisateur de ce membre : sans adresse courriel, "
                             "il ne pourrait plus être retrouvé. Ajoutez d’abord une adresse courriel ou "
                             "un autre numéro."), "phone")
    if phone.linked:
        phone.linked = False
        phone.unlinked_at = utcnow()
        db.session.flush()
        record("phone_unlinked", "customer", customer.id, employee_id=employee_id,
               details={"phone_id": phone.id})
    return phone
