"""Archiving and unarchiving (seed 000).

Archiving hides a customer from the list while keeping their sales and
details; an archived customer cannot be added to a sale (service.ensure_can_join_sale);
it is reversible. The caller commits.
"""
from __future__ import annotations

from flask_babel import gettext as _

from core.audit import record
from blueprints.customers.service import CustomerError
from extensions import db
from models import Customer
from models.base import utcnow


def archive_customer(customer: Customer) -> bool:
    """Archive; False when it already was (nothing written)."""
    if customer.anonymised:
        raise CustomerError(_("Ce client a été supprimé."))
    if customer.archived:
        return False
    customer.archived = True
    customer.archived_at = utcnow()
    record("customer_archived", "customer", customer.id)
    db.session.flush()
    return True


def unarchive_customer(customer: Customer) -> bool:
    """Bring back into the list (and into sales); False when it was not archived."""
    if customer.anonymised:
        raise CustomerError(_("Ce client a été supprimé."))
    if not customer.archived:
        return False
    customer.archived = False
    customer.archived_at = None
    record("customer_unarchived", "customer", customer.id)
    db.session.flush()
    return True
