"""The points ledger. Every change is a PointsEntry row and the cached
Customer.points_balance moves in the same transaction, with one conditional
UPDATE, so that concurrent redeems can never spend the same points twice
(SQLite's driver opens no transaction before a SELECT; with_for_update does
nothing there)."""
from __future__ import annotations

from sqlalchemy import update

from audit import record
from extensions import db
from models import Customer, PointsEntry


class PointsError(ValueError):
    def __init__(self, message: str, field: str | None = "points"):
        super().__init__(message)
        self.field = field


def _check_amount(points: int) -> None:
    from flask_babel import gettext as _
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise PointsError(_("Saisissez un nombre entier de points supérieur à zéro."))


def change_balance(customer_id: int, delta: int, *, kind: str, employee_id: int | None,
                   reason: str | None = None, sale_id: int | None = None,
                   allow_negative: bool = False) -> PointsEntry:
    """Move a balance by delta and write the ledger row (the caller commits).

    Refused, with nothing written, when it would take the balance below zero.
    """
    from flask_babel import gettext as _
    stmt = (update(Customer).where(Customer.id == customer_id)
            .values(points_balance=Customer.points_balance + delta)
            .execution_options(synchronize_session=False))
    if delta < 0 and not allow_negative:
        stmt = stmt.where(Customer.points_balance >= -delta)
    if db.session.execute(stmt).rowcount != 1:
        raise PointsError(_("Solde de points insuffisant."))
    entry = PointsEntry(customer_id=customer_id, delta=delta, kind=kind, reason=reason,
                        employee_id=employee_id, sale_id=sale_id)
    db.session.add(entry)
    db.session.flush()
    # The ORM copy of the customer, if loaded, must not keep the old balance.
    customer = db.session.get(Customer, customer_id)
    if customer is not None:
        db.session.refresh(customer, ["points_balance"])
    return entry


def add_points(customer_id: int, points: int, *, employee_id: int | None, reason: str | None = None) -> PointsEntry:
    _check_amount(points)
    entry = change_balance(customer_id, points, kind="add", employee_id=employee_id, reason=reason)
    record("points_added", "customer", customer_id, count=points, employee_id=employee_id)
    return entry


def redeem_points(customer_id: int, points: int, *, employee_id: int | None, reason: str | None = None) -> PointsEntry:
    """Seed 003: redeeming takes points away and grants no reward."""
    _check_amount(points)
    entry = change_balance(customer_id, -points, kind="redeem", employee_id=employee_id, reason=reason)
    record("points_redeemed", "customer", customer_id, count=points, employee_id=employee_id)
    return entry
