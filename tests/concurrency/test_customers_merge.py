"""Ten owners merge the same secondary into ten different primaries at once:
exactly one merge happens, and the secondary's history moves once."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.concurrency.conftest import run_together
from tests.support_customers_data import add_points, add_sale

THREADS = 10


def test_concurrent_merges_of_one_secondary_move_it_once(app, browsers, make_employee, make_customer, shop):
    from extensions import db
    from models import Customer, PointsEntry, Sale
    secondary = make_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    with app.app_context():
        add_sale(secondary, shop["location_id"], items=(("Pain", 1, 450),))
        add_points(secondary, 12, reason="bienvenue")
        db.session.commit()
    primaries = [make_customer(first_name="Élodie", last_name=f"Dupont {n}") for n in range(THREADS)]
    make_employee("owner")
    clients = browsers(THREADS, "owner@test.example", page=f"/customers/{primaries[0]}/merge")
    targets = {id(browser): primary for browser, primary in zip(clients, primaries)}
    statuses = run_together(clients, lambda browser: browser.post(
        f"/customers/{targets[id(browser)]}/merge", {"secondary": str(secondary)}))
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 404, 409, 422}, statuses

    with app.app_context():
        merged = db.session.get(Customer, secondary)
        winner = merged.merged_into_id
        assert merged.archived and winner in primaries
        assert db.session.scalar(select(Sale.customer_id).where(Sale.customer_id.in_(primaries + [secondary]))) \
            == winner
        points = dict(db.session.execute(select(PointsEntry.customer_id, func.sum(PointsEntry.delta))
                                         .group_by(PointsEntry.customer_id)).all())
        balances = dict(db.session.execute(select(Customer.id, Customer.points_balance)
                                           .where(Customer.id.in_(primaries + [secondary]))).all())
    assert points.get(winner) == balances[winner] == 12
    assert all(balances[p] == 0 for p in primaries if p != winner)
