"""The discount lines of a sale without HTTP (blueprints/sales/discounts.py):
the redemption rate, the quote (default discount, reward, points, capped by
the balance and the total), a tap's change, and partial refunds."""
from datetime import timedelta

import pytest

from blueprints.customers.service import create_customer
from blueprints.sales import discounts
from blueprints.sales.discounts import Adjustments
from blueprints.sales.errors import SaleError
from blueprints.sales.lines import Line
from blueprints.sales.recording import SaleRequest, record_sale
from blueprints.sales.refunds import refund_items
from models import Reward, ShopSettings
from models.base import utcnow
from tests.support_loyalty import balance_and_ledger, enrol, request_context


@pytest.fixture(autouse=True)
def _babel(app):
    with request_context(app):
        yield


@pytest.fixture
def elodie(db_session, shop):
    customer = create_customer(first_name="Élodie", last_name="Dupont")
    enrol(customer.id, points=500)
    db_session.commit()
    return customer


def _reward(db_session, customer, kind, value=None, item_name=None, days=30):
    reward = Reward(customer_id=customer.id, name="R", earned_at=utcnow(), expires_at=utcnow() + timedelta(days=days),
                    kind=kind, value=value, item_name=item_name)
    db_session.add(reward)
    db_session.commit()
    return reward


@pytest.mark.parametrize("per, value, points, cents, cover", [
    (100, 500, 100, 500, 100), (100, 500, 30, 150, 30), (100, 500, 1, 5, 1), (10, 1, 15, 1, 10), (100, 0, 100, 0, 0)])
def test_the_redemption_rate(db_session, shop, per, value, points, cents, cover):
    settings = ShopSettings.get()
    settings.redeem_points, settings.redeem_value_cents = per, value
    assert discounts.points_value_cents(points, settings) == cents
    assert discounts.points_to_cover(cents, settings) == (cover if cents else 0)


def test_quote_applies_default_discount_then_reward_then_points(db_session, elodie):
    elodie.default_discount = 10
    reward = _reward(db_session, elodie, "fixed", 500)
    lines = [Line("Menu", 2, 1500)]  # 30 €
    quote = discounts.quote(lines, elodie, Adjustments(elodie.id, points=100, reward_id=reward.id), may_redeem=True)
    assert [(d.kind, d.cents) for d in quote.discounts] == [("customer", 300), ("reward", 500), ("points", 500)]
    assert (quote.subtotal_cents, quote.total_cents) == (3000, 1700)


def test_quote_caps_points_at_the_total_and_the_balance_on_screen(db_session, elodie):
    quote = discounts.quote([Line("Café", 1, 350)], elodie, Adjustments(elodie.id, points=10_000), may_redeem=True)
    assert quote.adjustments.points == 70 and quote.total_cents == 0
    quote = discounts.quote([Line("Menu", 1, 10_000)], elodie, Adjustments(elodie.id, points=10_000), may_redeem=True)
    assert quote.adjustments.points == 500 and quote.total_cents == 7500


def test_strict_quote_refuses_more_than_the_balance_or_the_total(db_session, elodie):
    with pytest.raises(discounts.DiscountError) as caught:
        discounts.quote([Line("Menu", 1, 10_000)], elodie, Adjustments(elodie.id, points=501),
                        may_redeem=True, strict=True)
    assert "redeem_points" in caught.value.errors
    with pytest.raises(discounts.DiscountError):
        discounts.quote([Line("Café", 1, 350)], elodie, Adjustments(elodie.id, points=100),
                        may_redeem=True, strict=True)


@pytest.mark.parametrize("kind, value, item, cents", [
    ("fixed", 5000, None, 2000), ("percent", 25, None, 500), ("item", None, "CAFÉ", 300), ("item", None, "Thé", None)])
def test_reward_kinds(db_session, elodie, kind, value, item, cents):
    reward = _reward(db_session, elodie, kind, value, item)
    lines = [Line("Café", 2, 300), Line("Menu", 1, 1400)]  # 20 €
    assert discounts.reward_cents(reward, lines, 2000) == cents


def test_an_expired_or_claimed_reward_is_not_usable(db_session, elodie):
    _reward(db_session, elodie, "fixed", 100, days=-1)
    claimed = _reward(db_session, elodie, "fixed", 100)
    claimed.claimed_at = utcnow()
    _reward(db_session, elodie, None)  # a panel-only reward
    usable = _reward(db_session, elodie, "percent", 10)
    db_session.commit()
    assert [r.id for r in discounts.usable_rewards(elodie.id)] == [usable.id]


def test_a_customer_without_the_right_gets_no_points_or_rewards(db_session, elodie):
    quote = discounts.quote([Line("Menu", 1, 3000)], elodie, Adjustments(elodie.id, points=100), may_redeem=False)
    assert quote.discounts == [] and quote.rewards == [] and "redeem_points" in quote.errors


def test_taps_change_the_adjustments():
    adjustments = Adjustments(7)
    assert discounts.apply_op(adjustments, "points:set", "40")[0].points == 40
    assert discounts.apply_op(adjustments, "points:set", "abc")[1]
    assert discounts.apply_op(adjustments, "points:0")[0].points == 0
    assert discounts.apply_op(adjustments, "reward:12")[0].reward_id == 12
    assert discounts.apply_op(adjustments, "reward:0")[0].reward_id is None
    assert discounts.apply_op(adjustments, "discount:off")[0].customer_discount is False


def test_adjustments_from_another_customer_are_dropped():
    form = {"adjust_for": "3", "redeem_points": "100", "reward_id": "9", "customer_discount": "0"}
    assert Adjustments.from_form(form, 3) == Adjustments(3, 100, 9, False)
    assert Adjustments.from_form(form, 4) == Adjustments(4)


def test_a_partial_refund_then_the_rest(db_session, shop, elodie):
    sale = record_sale(SaleRequest(location_id=shop["location_id"], customer_id=elodie.id,
                                   lines=[Line("Menu", 4, 1000)], adjustments=Adjustments(elodie.id, points=200)),
                       None)
    db_session.commit()
    assert (sale.total_cents, sale.points_earned) == (3000, 30)
    first = refund_items(sale.id, {sale.items[0].id: 1}, None)
    db_session.commit()
    assert (first.refunded_cents, first.points_returned, first.points_taken_back) == (750, 50, 7)
    assert sale.status == "completed" and sale.items[0].refunded_quantity == 1
    with pytest.raises(SaleError):
        refund_items(sale.id, {sale.items[0].id: 4}, None)
    rest = refund_items(sale.id, {sale.items[0].id: 3}, None)
    db_session.commit()
    assert sale.status == "refunded" and rest.refunded_cents == 2250
    assert balance_and_ledger(elodie.id) == (500, 500)
