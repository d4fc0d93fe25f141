"""The customer at the counter: finding one as the cashier types (the
directory's own search rule), the side panel shown for the one chosen, and
the two changes made from the sale screen (adding a customer on the spot,
fixing a misspelt name).

Who may see what is decided by core/permissions.py: the panel and the search
results are CustomerViews, never raw customers.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.customers import validation
from blueprints.customers.quality import open_kinds
from blueprints.customers.search import customer_select
from blueprints.customers.search_query import CustomerQuery
from blueprints.customers.service import CustomerError, create_customer, ensure_can_join_sale, make_phone
from blueprints.sales.errors import SaleError
from blueprints.sales.invoices import open_invoices
from core.audit import record
from core.guards import parse_id
from core.permissions import can, customer_view
from extensions import db
from models import Customer, ShopSettings

SEARCH_LIMIT = 8
ARCHIVED_LIMIT = 3


# --- finding and showing ------------------------------------------------------

def search(employee, term: str) -> list:
    """The customers the term finds who may join a sale, as (view, customer) pairs."""
    region = ShopSettings.get().phone_region
    stmt = customer_select(employee, CustomerQuery(q=term), region).options(
        selectinload(Customer.phones), selectinload(Customer.groups)).limit(SEARCH_LIMIT)
    return [(customer_view(employee, customer, region), customer) for customer in db.session.scalars(stmt)]


def archived_matches(employee, term: str) -> list:
    """Archived customers the term finds (the same rule), said as such rather
    than "no match": they cannot join a sale until unarchived (seed 000)."""
    region = ShopSettings.get().phone_region
    stmt = (customer_select(employee, CustomerQuery(q=term, archived=True), region)
            .where(Customer.archived.is_(True)).limit(ARCHIVED_LIMIT))
    return [customer_view(employee, customer, region) for customer in db.session.scalars(stmt)]


def panel(employee, customer: Customer) -> dict:
    """What the side panel shows of the customer, through the permission view."""
    view = customer_view(employee, customer, ShopSettings.get().phone_region)
    invoices = open_invoices(customer.id) if can(employee, "customers.history.view") else []
    return {"view": view, "record": customer, "open_invoices": invoices,
            "open_total": sum(inv.amount_cents for inv in invoices),
            "quality_hints": open_kinds(employee, customer.id)}  # the inbox's open items: a discreet hint


def pick(employee, customer_id) -> tuple[dict | None, str | None]:
    """The panel of a customer the screen asks for (`customer_id` as sent),
    or the reason they cannot join the sale."""
    if not customer_id or not can(employee, "customers.basic"):
        return None, None
    customer = db.session.get(Customer, parse_id(customer_id)) if parse_id(customer_id) else None
    if customer is None or customer.anonymised:
        return None, _("Ce client n’existe pas ou plus.")
    try:
        ensure_can_join_sale(customer)
    except CustomerError as error:
        return None, str(error)
    return panel(employee, customer), None


def sale_customer(employee, customer_id) -> Customer | None:
    """The customer the sale form names (`customer_id` as sent), when they may be on a sale."""
    customer_id = parse_id(customer_id)
    if customer_id is None or not can(employee, "customers.basic"):
        return None
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.archived or customer.anonymised:
        return None
    return customer


def named_customer(customer_id: int) -> Customer | None:
    """The customer whose name the panel shows or fixes; None when gone or anonymised."""
    customer = db.session.get(Customer, customer_id)
    return None if customer is None or customer.anonymised else customer


# --- changes made from the sale screen ---------------------------------------

def _names(first_name: str | None, last_name: str | None) -> tuple[str | None, str | None, dict]:
    """Names as typed at the counter, spaces tidied, and what is wrong with them."""
    first = " ".join((first_name or "").split()) or None
    last = " ".join((last_name or "").split()) or None
    errors = {}
    if not first and not last:
        errors["first_name"] = _("Saisissez un prénom ou un nom.")
    for key, value in (("first_name", first), ("last_name", last)):
        if value and len(value) > 100:
            errors[key] = _("100 caractères au plus.")
    return first, last, errors


def rename_customer(customer_id: int, first_name: str | None, last_name: str | None) -> Customer:
    """Fix a misspelt name from the sale screen (the caller commits)."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.anonymised:
        raise LookupError(customer_id)
    ensure_can_join_sale(customer)
    first, last, errors = _names(first_name, last_name)
    if errors:
        raise SaleError(errors)
    changed = [name for name, value in (("first_name", first), ("last_name", last))
               if getattr(customer, name) != value]
    customer.first_name, customer.last_name = first, last
    customer.refresh_keys()
    db.session.flush()
    if changed:
        record("customer_updated", "customer", customer.id, details={"fields": changed, "via": "sale"})
    return customer


def add_customer_at_counter(first_name: str | None, last_name: str | None, email: str | None = None,
                            phone: str | None = None) -> Customer:
    """The short form of the sale screen (the caller commits). Email and phone
    are passed only when the employee may edit them."""
    first, last, errors = _names(first_name, last_name)
    phone = (phone or "").strip() or None
    email = validation.email(email, errors)  # the directory's check (email-validator)
    if email and "email" not in errors and db.session.scalar(
            select(Customer.id).where(Customer.email_key == email.lower(), Customer.anonymised.is_(False)).limit(1)):
        errors["email"] = _("Un client a déjà cette adresse courriel : recherchez-le.")
    if phone and make_phone(phone).e164 is None:
        errors["phone"] = _("Ce numéro de téléphone n’est pas valide.")
    if errors:
        raise SaleError(errors)
    customer = create_customer(first_name=first, last_name=last, email=email,
                               phones=[phone] if phone else [], origin="sale")
    record("customer_created", "customer", customer.id, details={"via": "sale"})
    return customer
