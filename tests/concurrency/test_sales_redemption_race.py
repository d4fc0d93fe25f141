"""Two (or ten) tills redeeming the same points or the same reward inside a
sale at the same instant: exactly one sale gets them, the others are refused
whole (no sale, no points moved), and the balance never goes below zero."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.concurrency.conftest import Till, race
from tests.support_loyalty import member
from tests.support_sales import sale_form

TILLS = 10


def _tills(live_server, make_employee) -> list[Till]:
    make_employee("cashier")
    return [Till(live_server).sign_in("cashier@test.example") for _ in range(TILLS)]


def _sale(shop, customer_id, **choices) -> dict:
    # 5 € of coffee: 100 points at the default rate (100 points = 5 €) pay all of it.
    return sale_form(shop["location_id"], lines=(("Café", 2, 250),), customer_id=customer_id,
                     adjust_for=customer_id, **choices)


def _state(app, customer_id):
    from extensions import db
    from models import Customer, PointsEntry, Sale
    with app.app_context():
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer_id))
        ledger = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                                   .where(PointsEntry.customer_id == customer_id))
        sales = db.session.scalar(select(func.count()).select_from(Sale))
        spends = db.session.scalar(select(func.count()).select_from(PointsEntry).where(PointsEntry.kind == "spend"))
    return balance, ledger, sales, spends


def test_concurrent_sales_spend_the_same_points_once(app, live_server, shop, make_employee, make_customer):
    customer_id = member(app, make_customer, email="elodie@example.fr", points=100)
    tills = _tills(live_server, make_employee)
    statuses = race(tills, lambda till: till.post("/sales/new", _sale(shop, customer_id, redeem_points="100")))
    assert statuses == [204] + [422] * (TILLS - 1)
    # The one sale was paid entirely in points: it earned nothing.
    assert _state(app, customer_id) == (0, 0, 1, 1)


def test_concurrent_sales_spend_part_of_the_balance_without_overspending(
        app, live_server, shop, make_employee, make_customer):
    customer_id = member(app, make_customer, email="elodie@example.fr", points=250)
    tills = _tills(live_server, make_employee)
    statuses = race(tills, lambda till: till.post("/sales/new", _sale(shop, customer_id, redeem_points="100")))
    assert statuses == [204, 204] + [422] * (TILLS - 2)
    assert _state(app, customer_id) == (50, 50, 2, 2)


def test_concurrent_sales_spend_the_same_reward_once(app, live_server, shop, make_employee, make_customer):
    from extensions import db
    from models import Reward
    from models.base import utcnow
    customer_id = member(app, make_customer, email="elodie@example.fr", points=0)
    with app.app_context():
        reward = Reward(customer_id=customer_id, name="Bon de 5 €", earned_at=utcnow(),
                        expires_at=utcnow() + timedelta(days=30), kind="fixed", value=500)
        db.session.add(reward)
        db.session.commit()
        reward_id = reward.id
    tills = _tills(live_server, make_employee)
    statuses = race(tills, lambda till: till.post("/sales/new", _sale(shop, customer_id, reward_id=reward_id)))
    assert statuses == [204] + [422] * (TILLS - 1)
    with app.app_context():
        from models import Sale
        assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
        assert db.session.get(Reward, reward_id).sale_id is not None


def test_concurrent_refunds_give_points_back_once(app, live_server, shop, make_employee, make_customer):
    customer_id = member(app, make_customer, email="elodie@example.fr", points=100)
    make_employee("manager")
    till = Till(live_server).sign_in("manager@test.example")
    assert till.post("/sales/new", _sale(shop, customer_id, redeem_points="100")) == 204
    from extensions import db
    from models import Sale
    with app.app_context():
        sale_id = db.session.scalar(select(Sale.id))
    managers = [Till(live_server).sign_in("manager@test.example") for _ in range(TILLS)]
    statuses = race(managers, lambda t: t.post(f"/sales/{sale_id}/cancel", {"action": "refund"}))
    assert statuses == [204] + [409] * (TILLS - 1)
    balance, ledger, _sales, _spends = _state(app, customer_id)
    assert (balance, ledger) == (100, 100)
