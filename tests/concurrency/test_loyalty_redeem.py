"""Reliability: fifty concurrent redeems against one balance, each from its own
signed-in HTTP session, end exactly right and never below zero — on SQLite and
on PostgreSQL."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.concurrency.conftest import run_together
from tests.support_loyalty import member

THREADS = 50
BALANCE = 100
EACH = 10


def test_fifty_concurrent_redeems_spend_the_balance_exactly_once(app, browsers, make_employee, make_customer):
    member_id = member(app, make_customer, email="elodie@example.fr", points=BALANCE)
    make_employee("cashier")
    statuses = run_together(browsers(THREADS, "cashier@test.example"), lambda browser: browser.post(
        "/loyalty/points/redeem", {"username": "elodie@example.fr", "points": str(EACH)}))
    assert statuses == [200] * (BALANCE // EACH) + [422] * (THREADS - BALANCE // EACH)

    from extensions import db
    from models import Customer, PointsEntry
    with app.app_context():
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == member_id))
        ledger = db.session.scalar(select(func.sum(PointsEntry.delta)).where(PointsEntry.customer_id == member_id))
        redeems = db.session.scalar(select(func.count()).select_from(PointsEntry)
                                    .where(PointsEntry.customer_id == member_id, PointsEntry.kind == "redeem"))
    assert (balance, ledger, redeems) == (0, 0, BALANCE // EACH)
