"""Twenty concurrent refunds and voids of one sale: exactly one wins, the
points it earned are taken back once, and the balance never goes below zero."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.concurrency.conftest import run_together
from tests.support_loyalty import member
from tests.support_sales import record

THREADS = 20


def test_concurrent_refunds_and_voids_of_one_sale_take_its_points_back_once(
        app, browsers, make_employee, make_customer, shop):
    customer_id = member(app, make_customer, points=7)
    manager = make_employee("manager")
    sale_id = record(app, manager, shop["location_id"], lines=(("Panier", 1, 4200),), customer_id=customer_id)
    from extensions import db
    from models import Customer, PointsEntry, Sale
    with app.app_context():
        earned = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer_id)) - 7
    assert earned > 0  # the method can fail: the sale earned points to give back

    clients = browsers(THREADS, "manager@test.example", page=f"/sales/{sale_id}")
    actions = {id(browser): ("refund", "void")[index % 2] for index, browser in enumerate(clients)}
    statuses = run_together(clients, lambda browser: browser.post(
        f"/sales/{sale_id}/cancel", {"action": actions[id(browser)]}))
    assert statuses == [204] + [409] * (THREADS - 1)

    with app.app_context():
        status = db.session.scalar(select(Sale.status).where(Sale.id == sale_id))
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer_id))
        ledger = db.session.scalar(select(func.sum(PointsEntry.delta)).where(PointsEntry.customer_id == customer_id))
    assert status in ("refunded", "voided")
    assert balance == ledger == 7
