"""The customer's sales summary kept on their row (visits, total spent, first
and last visit): moved forward by a sale in one conditional UPDATE, and
recomputed from the completed sales when a refund or a void takes some back."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm.util import identity_key

from blueprints.sales.errors import SaleError
from extensions import db
from models import Customer, Sale


def add_visit(customer_id: int, total_cents: int, at: datetime) -> None:
    """The customer's sales summary in one conditional UPDATE; it refuses a
    customer archived meanwhile (the sale is then rolled back)."""
    stmt = (update(Customer)
            .where(Customer.id == customer_id, Customer.archived.is_(False), Customer.anonymised.is_(False))
            .values(visit_count=Customer.visit_count + 1,
                    total_spent_cents=Customer.total_spent_cents + total_cents,
                    first_visit_at=func.coalesce(Customer.first_visit_at, at),
                    last_visit_at=case((or_(Customer.last_visit_at.is_(None), Customer.last_visit_at < at), at),
                                       else_=Customer.last_visit_at))
            .execution_options(synchronize_session=False))
    if db.session.execute(stmt).rowcount != 1:
        raise SaleError(_("Ce client est archivé : il ne peut pas être ajouté à une vente."), "customer_id")
    _expire_summary(customer_id)


def refresh_customer_summaries(customer_ids) -> None:
    """Recompute visits, total spent, first and last visit from the customer's
    completed sales (refunded and voided ones do not count, nor the refunded
    part of a partly refunded one), one UPDATE each."""
    for customer_id in {cid for cid in customer_ids if cid is not None}:
        completed = and_(Sale.customer_id == customer_id, Sale.status == "completed")
        stmt = (update(Customer).where(Customer.id == customer_id)
                .values(visit_count=select(func.count(Sale.id)).where(completed).scalar_subquery(),
                        total_spent_cents=select(func.coalesce(func.sum(Sale.total_cents - Sale.refunded_cents), 0))
                        .where(completed).scalar_subquery(),
                        first_visit_at=select(func.min(Sale.created_at)).where(completed).scalar_subquery(),
                        last_visit_at=select(func.max(Sale.created_at)).where(completed).scalar_subquery())
                .execution_options(synchronize_session=False))
        db.session.execute(stmt)
        _expire_summary(customer_id)


def _expire_summary(customer_id: int) -> None:
    # The UPDATEs bypass the session: a customer it already holds must read the new values.
    customer = db.session.identity_map.get(identity_key(Customer, customer_id))
    if customer is not None:
        db.session.expire(customer, ["visit_count", "total_spent_cents", "first_visit_at", "last_visit_at"])
