"""Adding a customer by hand: validated input, and likely duplicates (same
email, same normalised phone, same name ignoring accents and case) shown
before anything is saved. The caller commits."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select

from core.audit import record
from blueprints.customers import validation
from blueprints.customers.editing import UNSET, ForbiddenFieldError
from blueprints.customers.service import CustomerError, create_customer
from extensions import db
from models import Customer, Phone
from core.textkeys import name_key


@dataclass
class Duplicate:
    id: int
    name: str
    archived: bool
    reasons: list[str] = field(default_factory=list)  # "email", "phone", "name"


class PossibleDuplicates(CustomerError):
    """Not an error of the input: the user is asked to confirm."""

    def __init__(self, duplicates: list[Duplicate]):
        super().__init__(_("Doublons possibles"))
        self.duplicates = duplicates


def find_duplicates(*, first_name: str | None = None, last_name: str | None = None,
                    email: str | None = None, e164s: list[str] | tuple = (), limit: int = 10) -> list[Duplicate]:
    """Customers (archived ones too, not deleted ones) who share the email,
    a linked phone number or the accent- and case-free name. Two queries."""
    email_key = email.strip().lower() if email else None
    key = name_key(first_name, last_name)
    phone_ids: set[int] = set()
    if e164s:
        phone_ids = set(db.session.scalars(
            select(Phone.customer_id).where(Phone.e164.in_(list(e164s)), Phone.linked.is_(True)).limit(50)))
    conditions = []
    if email_key:
        conditions.append(Customer.email_key == email_key)
    if key:
        conditions.append(Customer.name_key == key)
    if phone_ids:
        conditions.append(Customer.id.in_(phone_ids))
    if not conditions:
        return []
    rows = db.session.execute(
        select(Customer.id, Customer.first_name, Customer.last_name, Customer.archived,
               Customer.email_key, Customer.name_key)
        .where(Customer.anonymised.is_(False), or_(*conditions))
        .order_by(Customer.archived, Customer.id).limit(limit))
    found = []
    for row in rows:
        reasons = [reason for reason, hit in (("email", email_key and row.email_key == email_key),
                                              ("phone", row.id in phone_ids),
                                              ("name", key and row.name_key == key)) if hit]
        name = " ".join(part for part in (row.first_name, row.last_name) if part) or f"#{row.id}"
        found.append(Duplicate(row.id, name, row.archived, reasons))
    return found


def add_customer(*, editable: set[str], region: str, confirm_duplicates: bool = False,
                 first_name: str | None = None, last_name: str | None = None,
                 email=UNSET, phone=UNSET, address: dict | None = None, comments=UNSET,
                 birthday=None, tax_id: str | None = None, email_notifications: bool = False,
                 company: str | None = None, employee_id: int | None = None) -> Customer:
    """Create a customer (origin "manual"). `editable` holds the contact fields
    ("email", "phone", "address") and "comments" this employee may fill in; a
    value for any other is refused. Raises FieldErrors, or PossibleDuplicates
    unless confirm_duplicates. A ticked `email_notifications` records the
    e-receipts consent "yes" at the counter (it needs the email's edit right)."""
    if email_notifications and "email" not in editable:
        raise ForbiddenFieldError("email")
    for name, value in (("email", email), ("phone", phone), ("address", address),
                        ("comments", comments)):
        if value is not UNSET and value is not None and name not in editable:
            raise ForbiddenFieldError(name)

    errors: dict[str, str] = {}
    fields = validation.details(errors, first_name=first_name, last_name=last_name, birthday_typed=birthday,
                                tax_id=tax_id)
    if company is not None:
        fields["company"] = validation.text(company, "company", errors)
    clean_email = validation.email(None if email is UNSET else email, errors)
    parsed_phone = validation.phone(None if phone is UNSET else phone, region, errors, "phone")
    if address:
        for name in ("address_line1", "address_line2", "postal_code", "city"):
            fields[name] = validation.text(address.get(name), name, errors)
        fields["country"] = validation.country(address.get("country"), errors)
    if comments is not UNSET:
        fields["comments"] = validation.text(comments, "comments", errors)
    if not errors and not (fields["first_name"] or fields["last_name"] or clean_email or parsed_phone):
        errors["first_name"] = _("Saisissez au moins un prénom, un nom, une adresse courriel ou un téléphone.")
    validation.raise_if(errors)

    if not confirm_duplicates:
        duplicates = find_duplicates(first_name=fields["first_name"], last_name=fields["last_name"],
                                     email=clean_email, e164s=[parsed_phone[1]] if parsed_phone else [])
        if duplicates:
            raise PossibleDuplicates(duplicates)

    customer = create_customer(email=clean_email, phones=[parsed_phone[0]] if parsed_phone else [],
                               origin="manual", **fields)
    record("customer_created", "customer", customer.id)
    if email_notifications:
        from blueprints.customers import consent
        consent.record_consent(customer, "e_receipts", "yes", method="counter", employee_id=employee_id,
                               text_shown=str(consent.PURPOSE_LABELS["e_receipts"]))
    return customer
