"""The rules of a customer record that every room shares: creating one,
its phone numbers, and who may be added to a sale."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import Customer, Phone, ShopSettings
from core.phones import display_form, normalise
from core.textkeys import digits as only_digits


class CustomerError(ValueError):
    """A rule refused the change; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ArchivedCustomerError(CustomerError):
    pass


def make_phone(raw: str, region: str | None = None, label: str = "mobile") -> Phone:
    region = region or ShopSettings.get().phone_region
    e164 = normalise(raw, region)
    kept = raw.strip()[:40]
    return Phone(raw=kept, e164=e164, display=display_form(e164, kept, region)[:40],
                 digits=e164.lstrip("+") if e164 else only_digits(raw)[:20], label=label)


def create_customer(*, first_name: str | None = None, last_name: str | None = None,
                    email: str | None = None, phones: list[str] | None = None,
                    origin: str = "manual", **fields) -> Customer:
    """Add a customer (the caller validates input and commits)."""
    customer = Customer(first_name=(first_name or "").strip() or None,
                        last_name=(last_name or "").strip() or None,
                        email=(email or "").strip() or None, origin=origin, **fields)
    region = ShopSettings.get().phone_region
    for raw in phones or []:
        if raw and raw.strip():
            customer.phones.append(make_phone(raw, region))
    customer.refresh_keys()
    db.session.add(customer)
    db.session.flush()
    return customer


def ensure_can_join_sale(customer: Customer) -> None:
    """Seed 000: an archived customer cannot be added to a sale."""
    if customer.archived or customer.anonymised:
        from flask_babel import gettext as _
        raise ArchivedCustomerError(_("Ce client est archivé : il ne peut pas être ajouté à une vente."),
                                    field="customer_id")


def find_by_username(username: str) -> list[Customer]:
    """Customers whose email or linked phone is this username (loyalty, seed 003).

    A username is always a complete value (permissions.complete_value): the
    full-value lookup rule lets any employee find a member by it, and a
    partial one finds nobody."""
    from core.permissions import complete_value
    username = username.strip()
    if not username:
        return []
    if "@" in username:
        key = complete_value("email", username)
        if not key:
            return []
        stmt = select(Customer).where(Customer.email_key == key)
    else:
        e164 = complete_value("phone", username, ShopSettings.get().phone_region)
        if not e164:
            return []
        stmt = (select(Customer).join(Phone, Phone.customer_id == Customer.id)
                .where(Phone.e164 == e164, Phone.linked.is_(True)))
    stmt = stmt.where(Customer.anonymised.is_(False)).distinct()
    return list(db.session.scalars(stmt))
