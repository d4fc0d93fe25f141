"""What the customers' route modules share, so that no route writes it
again: the customer a URL names (or a 404), the shop's phone region, what
this employee may change on a customer, a refusal finer than @requires,
and a keyset position read from the URL (a change committed or refused:
core/changes.py). No routes are registered here."""
from __future__ import annotations

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from core.audit import record
from core.guards import parse_id
from core.permissions import CONTACT_FIELDS, can, field_level
from extensions import db
from models import Customer, ShopSettings

def shop_region() -> str:
    """The shop's phone region, read once per request."""
    if "_phone_region" not in g:
        g._phone_region = ShopSettings.get().phone_region
    return g._phone_region


def customer_or_404(customer_id: int, *, related: bool = False) -> Customer:
    """The customer, unless missing or deleted (anonymised): then a 404.
    `related`: their phones and groups loaded with them (a profile, a file)."""
    options = [selectinload(Customer.phones), selectinload(Customer.groups)] if related else None
    customer = db.session.get(Customer, customer_id, options=options)
    if customer is None or customer.anonymised:
        abort(404)
    return customer


def editable_fields(customer: Customer) -> set[str]:
    """Contact fields (and comments, discounts and profile) this employee may change on this customer."""
    fields = {name for name in CONTACT_FIELDS if field_level(current_user, name, customer) == "edit"}
    if can(current_user, "customers.history.view"):
        fields.add("comments")
    if can(current_user, "customers.discounts"):
        fields.add("discounts")
    return fields


def forbidden(what: str):
    """A 403 for a rule finer than @requires (a field of this customer), audited like one."""
    db.session.rollback()
    capability = "customers.discounts" if what == "discounts" else f"customers.{what}.edit"
    record("forbidden", details={"endpoint": request.endpoint or "", "capability": capability})
    db.session.commit()
    abort(403)


def position_or_404(name: str) -> int:
    """A keyset position from the URL (`start`, `after`): 0 when absent, else
    an id (core/guards.parse_id); anything else is a 404, as beyond any id
    there is nothing to show."""
    raw = (request.args.get(name) or "0").strip()
    position = 0 if raw == "0" else parse_id(raw)
    if position is None:
        abort(404)
    return position
