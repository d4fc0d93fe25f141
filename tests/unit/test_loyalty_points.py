"""The points ledger (blueprints/loyalty/points.py): sales earn and give back
points, and the cached balance is always the ledger's sum."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from blueprints.customers.service import create_customer
from blueprints.loyalty import points as ledger
from models import PointsEntry, Sale, ShopSettings
from tests.support_loyalty import balance_and_ledger, enrol, request_context


@pytest.fixture(autouse=True)
def _babel(app):
    with request_context(app):
        yield


@pytest.fixture
def member_id(db_session, shop):
    customer = create_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    enrol(customer.id)
    db_session.commit()
    return customer.id


def _sale(db_session, shop, customer_id, total_cents, status="completed"):
    sale = Sale(location_id=shop["location_id"], customer_id=customer_id, total_cents=total_cents, status=status)
    db_session.add(sale)
    db_session.flush()
    return sale


def test_sale_to_member_earns_points_at_the_shop_rate(db_session, shop, member_id):
    ShopSettings.get().earn_rate = Decimal("1")
    sale = _sale(db_session, shop, member_id, 2599)
    assert ledger.earn_for_sale(sale, None) == 25
    db_session.commit()
    assert sale.points_earned == 25
    entry = db_session.scalar(select(PointsEntry).where(PointsEntry.customer_id == member_id))
    assert (entry.kind, entry.delta, entry.sale_id) == ("earn", 25, sale.id)
    assert balance_and_ledger(member_id) == (25, 25)


def test_earn_rate_with_decimals_rounds_down(db_session, shop, member_id):
    ShopSettings.get().earn_rate = Decimal("1.5")
    sale = _sale(db_session, shop, member_id, 1099)  # 10.99 x 1.5 = 16.485
    assert ledger.earn_for_sale(sale, None) == 16


def test_earn_rate_zero_earns_nothing_and_writes_nothing(db_session, shop, member_id):
    ShopSettings.get().earn_rate = Decimal("0")
    sale = _sale(db_session, shop, member_id, 5000)
    assert ledger.earn_for_sale(sale, None) == 0
    assert db_session.scalar(select(PointsEntry)) is None


def test_sale_to_non_member_earns_nothing(db_session, shop):
    customer = create_customer(first_name="Paul", last_name="Durand")
    sale = _sale(db_session, shop, customer.id, 5000)
    assert ledger.earn_for_sale(sale, None) == 0
    assert sale.points_earned == 0
    assert db_session.scalar(select(PointsEntry)) is None


def test_anonymous_sale_earns_nothing(db_session, shop):
    sale = _sale(db_session, shop, None, 5000)
    assert ledger.earn_for_sale(sale, None) == 0


def test_refunded_sale_takes_its_points_back(db_session, shop, member_id):
    sale = _sale(db_session, shop, member_id, 4000)
    ledger.earn_for_sale(sale, None)
    db_session.commit()
    sale.status = "refunded"
    assert ledger.reverse_for_sale(sale, None).taken_back == 40
    db_session.commit()
    assert sale.points_earned_reversed == 40
    kinds = db_session.scalars(select(PointsEntry.kind).order_by(PointsEntry.id)).all()
    assert kinds == ["earn", "refund"]
    assert balance_and_ledger(member_id) == (0, 0)


def test_reversing_twice_takes_points_back_once(db_session, shop, member_id):
    sale = _sale(db_session, shop, member_id, 4000)
    ledger.earn_for_sale(sale, None)
    assert ledger.reverse_for_sale(sale, None).taken_back == 40
    assert ledger.reverse_for_sale(sale, None).taken_back == 0
    db_session.commit()
    assert balance_and_ledger(member_id) == (0, 0)


def test_voided_sale_never_takes_the_balance_below_zero(db_session, shop, member_id):
    sale = _sale(db_session, shop, member_id, 3000)
    ledger.earn_for_sale(sale, None)
    ledger.redeem_points(member_id, 20, employee_id=None)
    sale.status = "voided"
    reversal = ledger.reverse_for_sale(sale, None)
    assert (reversal.taken_back, reversal.unrecovered) == (10, 20)
    db_session.commit()
    assert balance_and_ledger(member_id) == (0, 0)
    assert sale.points_unrecovered == 20
    rows = db_session.execute(select(PointsEntry.kind, PointsEntry.delta, PointsEntry.sale_id)
                              .order_by(PointsEntry.id)).all()
    assert [tuple(row) for row in rows][-2:] == [("refund", -10, sale.id), ("unrecovered", 0, sale.id)]


def test_reversal_gives_back_spent_points_before_taking_earned_ones(db_session, shop, member_id):
    sale = _sale(db_session, shop, member_id, 3000)
    sale.points_redeemed = 100
    ledger.earn_for_sale(sale, None)  # +30, the balance is 30
    sale.status = "refunded"
    reversal = ledger.reverse_for_sale(sale, None)
    assert (reversal.returned, reversal.taken_back, reversal.unrecovered) == (100, 30, 0)
    db_session.commit()
    assert balance_and_ledger(member_id) == (100, 100)


def test_partial_reversal_is_proportional_and_cumulative(db_session, shop, member_id):
    sale = _sale(db_session, shop, member_id, 4000)
    sale.points_redeemed = 10
    ledger.earn_for_sale(sale, None)  # +40
    first = ledger.reverse_for_sale(sale, None, share=(1, 4))
    assert (first.returned, first.taken_back) == (2, 10)
    second = ledger.reverse_for_sale(sale, None, share=(1, 1))
    assert (second.returned, second.taken_back) == (8, 30)
    db_session.commit()
    assert balance_and_ledger(member_id) == (10, 10)


def test_reversing_a_sale_that_earned_nothing_writes_nothing(db_session, shop, member_id):
    sale = _sale(db_session, shop, member_id, 50)  # 0.50: no whole point
    assert ledger.earn_for_sale(sale, None) == 0
    assert ledger.reverse_for_sale(sale, None).taken_back == 0
    assert db_session.scalar(select(PointsEntry)) is None


def test_redeem_below_zero_is_refused_and_writes_nothing(db_session, shop, member_id):
    ledger.add_points(member_id, 20, employee_id=None)
    db_session.commit()
    with pytest.raises(ledger.PointsError):
        ledger.redeem_points(member_id, 21, employee_id=None)
    db_session.commit()
    assert balance_and_ledger(member_id) == (20, 20)
    assert db_session.scalar(select(PointsEntry.kind).where(PointsEntry.kind == "redeem")) is None


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "10"])
def test_points_must_be_a_whole_positive_number(db_session, shop, member_id, amount):
    with pytest.raises(ledger.PointsError):
        ledger.add_points(member_id, amount, employee_id=None)


def test_clear_balance_writes_one_entry_to_zero(db_session, shop, member_id):
    ledger.add_points(member_id, 70, employee_id=None)
    assert ledger.clear_balance(member_id, kind="removal", employee_id=None) == 70
    db_session.commit()
    assert balance_and_ledger(member_id) == (0, 0)
    last = db_session.scalar(select(PointsEntry).order_by(PointsEntry.id.desc()))
    assert (last.kind, last.delta) == ("removal", -70)


def test_clear_balance_of_zero_writes_nothing(db_session, shop, member_id):
    assert ledger.clear_balance(member_id, kind="removal", employee_id=None) == 0
    assert db_session.scalar(select(PointsEntry)) is None


def test_ledger_sum_matches_cached_balance_after_many_changes(db_session, shop, member_id):
    for points in (10, 25, 3):
        ledger.add_points(member_id, points, employee_id=None)
    ledger.redeem_points(member_id, 30, employee_id=None)
    sale = _sale(db_session, shop, member_id, 1200)
    ledger.earn_for_sale(sale, None)
    ledger.reverse_for_sale(sale, None)
    db_session.commit()
    assert balance_and_ledger(member_id) == (8, 8)
    assert ledger.ledger_sum(member_id) == 8
