"""The points ledger. Every change is a PointsEntry row and the cached
Customer.points_balance moves in the same transaction, with one conditional
UPDATE, so that concurrent redeems can never spend the same points twice
(SQLite's driver opens no transaction before a SELECT; with_for_update does
nothing there)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from core.audit import record
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


def clear_balance(customer_id: int, *, kind: str, employee_id: int | None,
                  reason: str | None = None, values: dict | None = None) -> int:
    """Bring a balance to exactly zero with one ledger row (the caller commits).

    The UPDATE is conditional on the balance just read, so a concurrent change
    makes it retry instead of leaving a balance the ledger does not explain.
    `values` are other columns set in the same statement (ending a membership).
    Returns the points taken away (negative if the balance was below zero).
    """
    from flask_babel import gettext as _
    for _attempt in range(20):
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer_id))
        if balance is None:
            raise PointsError(_("Client introuvable."), field=None)
        stmt = (update(Customer).where(Customer.id == customer_id, Customer.points_balance == balance)
                .values(points_balance=0, **(values or {}))
                .execution_options(synchronize_session=False))
        if db.session.execute(stmt).rowcount == 1:
            if balance:
                db.session.add(PointsEntry(customer_id=customer_id, delta=-balance, kind=kind,
                                           reason=reason, employee_id=employee_id))
            db.session.flush()
            customer = db.session.get(Customer, customer_id)
            if customer is not None:
                db.session.refresh(customer, ["points_balance", *(values or {})])
            return balance
    raise PointsError(_("Le solde change sans cesse ; réessayez."), field=None)


def recent_entries(customer_id: int, limit: int = 10) -> list[PointsEntry]:
    """A member's last changes, newest first, with who made them (the panel)."""
    from sqlalchemy.orm import selectinload
    return list(db.session.scalars(
        select(PointsEntry).where(PointsEntry.customer_id == customer_id)
        .order_by(PointsEntry.id.desc()).limit(limit)
        .options(selectinload(PointsEntry.employee))))


def ledger_sum(customer_id: int) -> int:
    """The balance as the ledger tells it (tests and checks compare it with the cache)."""
    from sqlalchemy import func
    return db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                             .where(PointsEntry.customer_id == customer_id))


def points_for_amount(total_cents: int, rate=None) -> int:
    """Points a member earns for a sale: the earn rate per whole unit of currency.
    The rate is the shop's unless given (the demo passes the one it set, rather
    than read the settings for each of millions of sales)."""
    from decimal import ROUND_DOWN, Decimal

    if rate is None:
        from models import ShopSettings
        rate = ShopSettings.get().earn_rate or 0
    return int((Decimal(max(total_cents, 0)) / 100 * Decimal(rate)).to_integral_value(rounding=ROUND_DOWN))


def earn_for_sale(sale, employee_id: int | None) -> int:
    """A sale to a loyalty member earns points (the caller commits). Returns the points."""
    customer = sale.customer
    if customer is None or not customer.loyalty_member:
        return 0
    points = points_for_amount(sale.total_cents)
    if points > 0:
        change_balance(customer.id, points, kind="earn", employee_id=employee_id, sale_id=sale.id)
        sale.points_earned = points
    return points


@dataclass
class Reversal:
    """What a refund did to the points: spent points given back, earned
    points taken back, and earned points it could not take back (already
    spent elsewhere: the balance never goes below zero)."""
    returned: int = 0
    taken_back: int = 0
    unrecovered: int = 0


def _share(points: int, share: tuple[int, int]) -> int:
    numerator, denominator = share
    if denominator <= 0 or numerator >= denominator:
        return points
    return points * numerator // denominator


def take_back(customer_id: int, points: int, *, kind: str, employee_id: int | None,
              sale_id: int | None = None) -> int:
    """Take up to `points` off a balance without going below zero; returns
    what was taken. Conditional on the balance just read, retried if it moved."""
    from flask_babel import gettext as _
    if points <= 0:
        return 0
    for _attempt in range(20):
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer_id))
        if balance is None:
            return 0
        taken = max(0, min(points, balance))
        if taken == 0:
            return 0
        stmt = (update(Customer).where(Customer.id == customer_id, Customer.points_balance == balance)
                .values(points_balance=Customer.points_balance - taken)
                .execution_options(synchronize_session=False))
        if db.session.execute(stmt).rowcount == 1:
            db.session.add(PointsEntry(customer_id=customer_id, delta=-taken, kind=kind,
                                       employee_id=employee_id, sale_id=sale_id))
            db.session.flush()
            customer = db.session.get(Customer, customer_id)
            if customer is not None:
                db.session.refresh(customer, ["points_balance"])
            return taken
    raise PointsError(_("Le solde change sans cesse ; réessayez."), field=None)


def reverse_for_sale(sale, employee_id: int | None, share: tuple[int, int] = (1, 1)) -> Reversal:
    """A refunded or voided sale gives back what it did to the points, in
    `share` (refunded part of the items / all of them, cumulative: a second
    partial refund gives back only what the first did not). Spent points come
    back first, then the earned points are taken back, never below zero:
    what could not be taken back is recorded (on the sale and as a ledger row
    of zero points) rather than driving the balance negative. Every row
    carries the sale's number. The caller commits."""
    from flask_babel import ngettext
    result = Reversal()
    if sale.customer_id is None:
        return result
    to_return = _share(sale.points_redeemed or 0, share) - (sale.points_redeemed_returned or 0)
    member = db.session.scalar(select(Customer.loyalty_member).where(Customer.id == sale.customer_id))
    if to_return > 0 and member:  # removed from the programme since: no balance to give back to
        change_balance(sale.customer_id, to_return, kind="return", employee_id=employee_id, sale_id=sale.id)
        sale.points_redeemed_returned = (sale.points_redeemed_returned or 0) + to_return
        result.returned = to_return
    to_take = _share(sale.points_earned or 0, share) - (sale.points_earned_reversed or 0)
    if to_take > 0:
        taken = take_back(sale.customer_id, to_take, kind="refund", employee_id=employee_id, sale_id=sale.id)
        missing = to_take - taken
        if missing:
            db.session.add(PointsEntry(customer_id=sale.customer_id, delta=0, kind="unrecovered",
                                       employee_id=employee_id, sale_id=sale.id,
                                       reason=ngettext("%(num)s point non repris : déjà utilisé",
                                                       "%(num)s points non repris : déjà utilisés", missing)))
            db.session.flush()
        sale.points_earned_reversed = (sale.points_earned_reversed or 0) + to_take
        sale.points_unrecovered = (sale.points_unrecovered or 0) + missing
        result.taken_back, result.unrecovered = taken, missing
    return result
