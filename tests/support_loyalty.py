"""Helpers for the loyalty tests: members, rewards and sales built directly in the database."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select


def enrol(customer_id: int, points: int = 0) -> None:
    """Make a directory customer a member with a balance the ledger explains (the caller commits)."""
    from blueprints.loyalty.points import change_balance
    from extensions import db
    from models import Customer
    from models.base import utcnow
    customer = db.session.get(Customer, customer_id)
    customer.loyalty_member = True
    customer.loyalty_enrolled_at = utcnow()
    db.session.flush()
    if points:
        change_balance(customer_id, points, kind="add", employee_id=None, reason="start")


def member(app, make_customer, points: int = 0, **fields) -> int:
    """A committed member: make_customer(...) then enrol with `points`."""
    customer_id = make_customer(**fields)
    from extensions import db
    with app.app_context():
        enrol(customer_id, points)
        db.session.commit()
    return customer_id


def add_reward(app, customer_id: int, name: str = "Café offert", status: str = "earned") -> int:
    from extensions import db
    from models import Reward
    from models.base import utcnow
    now = utcnow()
    with app.app_context():
        reward = Reward(customer_id=customer_id, name=name, earned_at=now - timedelta(days=10),
                        expires_at=now + timedelta(days=30))
        if status == "claimed":
            reward.claimed_at = now - timedelta(days=1)
        elif status == "expired":
            reward.expires_at = now - timedelta(days=1)
        db.session.add(reward)
        db.session.commit()
        return reward.id


def balance_and_ledger(customer_id: int) -> tuple[int, int]:
    """(cached balance, sum of the ledger): the two must always agree."""
    from extensions import db
    from models import Customer, PointsEntry
    db.session.expire_all()
    balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer_id))
    total = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                              .where(PointsEntry.customer_id == customer_id))
    return balance, total


def read(app, customer_id: int):
    """A fresh copy of the customer, loaded with phones and groups, detached."""
    from sqlalchemy.orm import selectinload

    from extensions import db
    from models import Customer
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.id == customer_id)
                                     .options(selectinload(Customer.phones), selectinload(Customer.groups)))
        db.session.expunge_all()
        return customer


def request_context(app):
    """Services speak French through Babel, which reads the request's locale."""
    return app.test_request_context()
