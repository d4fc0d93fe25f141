"""Loyalty at the till: points and earned rewards spent inside a sale (discount
lines on the screen and the receipt, points earned on what was paid), the
customer's default discount, and refunds that give everything back."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Customer, PointsEntry, Reward, Sale
from tests.support_loyalty import member
from tests.support_sales import get, sale_form


def _member(app, make_customer, points=300, **fields):
    return member(app, make_customer, points=points, email="elodie@example.fr", first_name="Élodie",
                  last_name="Dupont", **fields)


def _reward(app, customer_id, kind="fixed", value=500, item_name=None, name="Bon de 5 €", days=30):
    from extensions import db
    from models.base import utcnow
    with app.app_context():
        now = utcnow()
        reward = Reward(customer_id=customer_id, name=name, earned_at=now - timedelta(days=5),
                        expires_at=now + timedelta(days=days), kind=kind, value=value, item_name=item_name)
        db.session.add(reward)
        db.session.commit()
        return reward.id


def _ledger(app, customer_id):
    from extensions import db
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(PointsEntry.kind, PointsEntry.delta, PointsEntry.sale_id)
            .where(PointsEntry.customer_id == customer_id).order_by(PointsEntry.id))]


def _balance(app, customer_id):
    return get(app, Customer, customer_id).points_balance


def _sale_id(app):
    from extensions import db
    with app.app_context():
        return db.session.scalar(select(Sale.id).order_by(Sale.id.desc()))


def _checkout(client, shop, customer_id, lines=(("Menu", 1, 3000),), **choices):
    fields = {"customer_id": customer_id, "adjust_for": customer_id, **choices}
    return client.post("/sales/new", data=sale_form(shop["location_id"], lines=lines, **fields))


# --- the screen ---------------------------------------------------------------------

def test_screen_shows_balance_rewards_and_one_tap_to_use_the_points(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=300)
    _reward(app, customer_id, name="Bon de 5 €")
    response = client.htmx("post", "/sales/new/update",
                           data=sale_form(shop["location_id"], lines=(("Menu", 1, 3000),), customer_id=customer_id))
    page = response.get_data(as_text=True)
    assert 'data-balance="300"' in page
    assert "Utiliser 300 points (−15,00" in page  # 100 points = 5 € by default
    assert 'value="reward:' in page and "Bon de 5 €" in page


def test_use_points_is_never_more_than_the_total(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=1000)
    data = sale_form(shop["location_id"], lines=(("Café", 1, 350),), customer_id=customer_id, op="points:max")
    page = client.htmx("post", "/sales/new/update", data=data).get_data(as_text=True)
    # 3,50 € needs 70 points: the other 930 stay on the balance.
    assert 'name="redeem_points" value="70"' in page
    assert "−3,50" in page
    assert 'class="total-amount">0,00' in page


def test_typed_points_above_the_balance_are_capped_with_a_message(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=50)
    data = sale_form(shop["location_id"], lines=(("Menu", 1, 3000),), customer_id=customer_id,
                     adjust_for=customer_id, op="points:set", points_wanted="500")
    response = client.htmx("post", "/sales/new/update", data=data)
    page = response.get_data(as_text=True)
    assert 'name="redeem_points" value="50"' in page
    assert "50 points utilisés : jamais plus que le solde" in page


def test_adjustments_chosen_for_another_customer_start_afresh(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=300)
    other = member(app, make_customer, points=300, email="paul@example.fr")
    data = sale_form(shop["location_id"], lines=(("Menu", 1, 3000),), customer_id=other,
                     adjust_for=customer_id, redeem_points="100")
    page = client.htmx("post", "/sales/new/update", data=data).get_data(as_text=True)
    assert 'name="redeem_points" value=""' in page


# --- checkout -------------------------------------------------------------------------

def test_sale_with_points_writes_the_discount_line_and_earns_on_what_was_paid(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=300)
    response = _checkout(client, shop, customer_id, redeem_points="200")  # 10 € off 30 €
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    sale_id = _sale_id(app)
    sale = get(app, Sale, sale_id)
    assert (sale.subtotal_cents, sale.points_redeemed, sale.points_discount_cents, sale.total_cents) == \
        (3000, 200, 1000, 2000)
    assert sale.points_earned == 20  # on the 20 € paid, not the 30 €
    assert _ledger(app, customer_id)[1:] == [("spend", -200, sale_id), ("earn", 20, sale_id)]
    assert _balance(app, customer_id) == 120
    receipt = client.get(f"/sales/{sale_id}").get_data(as_text=True)
    assert "Points de fidélité" in receipt and "−10,00" in receipt and "200 points utilisés" in receipt


def test_points_above_the_balance_refuse_the_whole_sale(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=100)
    response = _checkout(client, shop, customer_id, redeem_points="150")
    assert response.status_code == 422
    assert "Solde insuffisant" in response.get_data(as_text=True)
    assert _sale_id(app) is None
    assert _balance(app, customer_id) == 100


def test_points_worth_more_than_the_total_are_refused(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=1000)
    response = _checkout(client, shop, customer_id, lines=(("Café", 1, 350),), redeem_points="500")
    assert response.status_code == 422
    assert _sale_id(app) is None


@pytest.mark.parametrize("kind, value, item, expected", [
    ("fixed", 500, None, 500), ("percent", 10, None, 300), ("item", None, "menu", 3000)])
def test_an_earned_reward_is_spent_in_the_sale(app, signed_in, shop, make_customer, kind, value, item, expected):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=0)
    reward_id = _reward(app, customer_id, kind=kind, value=value, item_name=item)
    response = _checkout(client, shop, customer_id, reward_id=reward_id)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    sale = get(app, Sale, _sale_id(app))
    assert (sale.reward_discount_cents, sale.total_cents) == (expected, 3000 - expected)
    reward = get(app, Reward, reward_id)
    assert reward.claimed_at is not None and reward.sale_id == sale.id
    assert "Récompense : Bon de 5 €" in client.get(f"/sales/{sale.id}").get_data(as_text=True)


def test_a_free_item_not_in_the_sale_is_refused(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=0)
    reward_id = _reward(app, customer_id, kind="item", value=None, item_name="Dessert")
    response = _checkout(client, shop, customer_id, reward_id=reward_id)
    assert response.status_code == 422
    assert "L’article offert (Dessert) n’est pas dans la vente." in response.get_data(as_text=True)
    assert get(app, Reward, reward_id).claimed_at is None


def test_a_reward_already_spent_cannot_be_spent_again(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = _member(app, make_customer, points=0)
    reward_id = _reward(app, customer_id)
    assert _checkout(client, shop, customer_id, reward_id=reward_id).status_code == 302
    response = _checkout(client, shop, customer_id, reward_id=reward_id)
    assert response.status_code == 422
    assert "plus disponible" in response.get_data(as_text=True)


def test_an_employee_who_may_not_use_points_cannot_redeem(app, signed_in, shop, make_customer):
    client = signed_in(capabilities={"access.register", "customers.basic"})
    customer_id = _member(app, make_customer, points=300)
    page = client.htmx("post", "/sales/new/update", data=sale_form(
        shop["location_id"], lines=(("Menu", 1, 3000),), customer_id=customer_id)).get_data(as_text=True)
    assert "points:max" not in page
    response = _checkout(client, shop, customer_id, redeem_points="100")
    assert response.status_code == 422
    assert _balance(app, customer_id) == 300


def test_the_redemption_rate_comes_from_the_settings(app, signed_in, shop, make_customer):
    client = signed_in("owner")
    response = client.post("/loyalty/settings", data={"earn_rate": "1", "reward_validity_days": "90",
                                                       "redeem_points": "10", "redeem_value": "1"})
    assert response.status_code == 302
    customer_id = _member(app, make_customer, points=100)
    assert _checkout(client, shop, customer_id, redeem_points="100").status_code == 302
    assert get(app, Sale, _sale_id(app)).points_discount_cents == 1000


def test_settings_refuse_a_bad_redemption_rate(signed_in):
    client = signed_in("owner")
    response = client.post("/loyalty/settings", data={"earn_rate": "1", "reward_validity_days": "90",
                                                       "redeem_points": "0", "redeem_value": "abc"})
    assert response.status_code == 422
    assert "Un nombre entier de points supérieur à zéro." in response.get_data(as_text=True)


def test_a_reward_of_a_kind_is_granted_from_the_panel(app, signed_in, make_customer):
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=0)
    response = client.post(f"/loyalty/members/{customer_id}/rewards", data={
        "reward-name": "Dix pour cent", "reward-validity_days": "", "reward-kind": "percent", "reward-value": "10"})
    assert response.status_code == 302
    from extensions import db
    with app.app_context():
        reward = db.session.scalar(select(Reward))
        assert (reward.kind, reward.value) == ("percent", 10)
    response = client.post(f"/loyalty/members/{customer_id}/rewards", data={
        "reward-name": "X", "reward-kind": "percent", "reward-value": "150"})
    assert response.status_code == 422


# --- the customer's default discount ---------------------------------------------------

def test_default_discount_is_applied_when_the_customer_joins_and_can_be_removed(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(default_discount=10)
    data = sale_form(shop["location_id"], lines=(("Menu", 1, 3000),), customer_id=customer_id)
    page = client.htmx("post", "/sales/new/update", data=data).get_data(as_text=True)
    assert "Réduction client (10 %)" in page and "−3,00" in page
    assert 'class="total-amount">27,00' in page
    removed = client.htmx("post", "/sales/new/update", data={**data, "adjust_for": customer_id,
                                                             "op": "discount:off"}).get_data(as_text=True)
    assert 'name="customer_discount" value="0"' in removed
    assert 'class="total-amount">30,00' in removed
    assert "Appliquer la réduction client (10 %)" in removed


def test_default_discount_is_on_the_sale_and_its_receipt(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(default_discount=10)
    assert client.post("/sales/new", data=sale_form(shop["location_id"], lines=(("Menu", 1, 3000),),
                                                    customer_id=customer_id)).status_code == 302
    sale = get(app, Sale, _sale_id(app))
    assert (sale.customer_discount_percent, sale.customer_discount_cents, sale.total_cents) == (10, 300, 2700)
    assert "Réduction client (10 %)" in client.get(f"/sales/{sale.id}").get_data(as_text=True)
    assert get(app, Customer, customer_id).total_spent_cents == 2700


def test_a_removed_default_discount_stays_off_at_checkout(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(default_discount=10)
    assert _checkout(client, shop, customer_id, customer_discount="0").status_code == 302
    assert get(app, Sale, _sale_id(app)).total_cents == 3000


def test_picking_a_customer_refreshes_the_lines(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(default_discount=10)
    page = client.htmx("get", f"/sales/counter/customer?customer_id={customer_id}").get_data(as_text=True)
    assert 'hx-trigger="load"' in page and 'hx-target="#sale-discounts"' in page


# --- refunds give everything back ---------------------------------------------------

def _sale_with_everything(app, client, shop, customer_id, reward_id, lines=(("Menu", 1, 3000),)):
    response = _checkout(client, shop, customer_id, lines=lines, redeem_points="100", reward_id=reward_id)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return _sale_id(app)


def test_refund_gives_back_points_spent_takes_back_points_earned_and_restores_the_reward(
        app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=300)
    reward_id = _reward(app, customer_id)
    expires = get(app, Reward, reward_id).expires_at
    sale_id = _sale_with_everything(app, client, shop, customer_id, reward_id)  # 30 - 5 - 5 = 20 € paid
    assert _balance(app, customer_id) == 300 - 100 + 20
    response = client.post(f"/sales/{sale_id}/cancel", data={"action": "refund"})
    assert response.status_code == 302
    assert _balance(app, customer_id) == 300
    reward = get(app, Reward, reward_id)
    assert reward.claimed_at is None and reward.sale_id is None and reward.expires_at == expires
    assert reward.status() == "earned"
    assert [row for row in _ledger(app, customer_id) if row[2] == sale_id] == [
        ("spend", -100, sale_id), ("earn", 20, sale_id), ("return", 100, sale_id), ("refund", -20, sale_id)]
    page = client.get(f"/sales/{sale_id}").get_data(as_text=True)
    assert "100 points utilisés dans la vente sont rendus au client." in page
    assert "Récompense « Bon de 5 € » rendue : de nouveau Obtenue." in page


def test_void_gives_everything_back_too(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=300)
    reward_id = _reward(app, customer_id)
    sale_id = _sale_with_everything(app, client, shop, customer_id, reward_id)
    client.post(f"/sales/{sale_id}/cancel", data={"action": "void"})
    assert _balance(app, customer_id) == 300
    assert get(app, Reward, reward_id).status() == "earned"


def test_a_restored_reward_past_its_date_comes_back_with_a_note(app, signed_in, shop, make_customer):
    from extensions import db
    from models.base import utcnow
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=300)
    reward_id = _reward(app, customer_id)
    sale_id = _sale_with_everything(app, client, shop, customer_id, reward_id)
    with app.app_context():
        db.session.get(Reward, reward_id).expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    client.post(f"/sales/{sale_id}/cancel", data={"action": "refund"})
    reward = get(app, Reward, reward_id)
    assert reward.claimed_at is None and reward.status() == "expired"
    assert f"vente n° {sale_id}, mais expirée" in reward.note
    assert "rendue, mais elle a expiré" in client.get(f"/sales/{sale_id}").get_data(as_text=True)


def test_refund_never_takes_the_balance_below_zero_and_says_so(app, signed_in, shop, make_customer):
    from blueprints.loyalty.points import redeem_points
    from extensions import db
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=0)
    assert _checkout(client, shop, customer_id).status_code == 302  # +30
    sale_id = _sale_id(app)
    with app.test_request_context():
        redeem_points(customer_id, 25, employee_id=None)
        db.session.commit()
    client.post(f"/sales/{sale_id}/cancel", data={"action": "refund"})
    assert _balance(app, customer_id) == 0
    page = client.get(f"/sales/{sale_id}").get_data(as_text=True)
    assert "25 points gagnés avec cette vente n’ont pas pu être repris" in page
    assert ("unrecovered", 0, sale_id) in _ledger(app, customer_id)


def test_partial_refund_gives_back_in_proportion(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=400)
    lines = (("Menu", 3, 1000), ("Café", 1, 1000))  # 40 €
    assert _checkout(client, shop, customer_id, lines=lines, redeem_points="200").status_code == 302
    sale_id = _sale_id(app)  # 40 - 10 = 30 € paid, +30 points
    assert _balance(app, customer_id) == 230
    with app.app_context():
        from extensions import db
        menu_id = db.session.get(Sale, sale_id).items[0].id
    response = client.post(f"/sales/{sale_id}/refund-items", data={f"refund_qty_{menu_id}": "2"})  # half the value
    assert response.status_code == 302
    sale = get(app, Sale, sale_id)
    assert sale.status == "completed" and sale.refunded_cents == 1500
    assert (sale.points_redeemed_returned, sale.points_earned_reversed) == (100, 15)
    assert _balance(app, customer_id) == 230 + 100 - 15
    assert get(app, Customer, customer_id).total_spent_cents == 1500
    assert "Remboursée en partie" in client.get(f"/sales/{sale_id}").get_data(as_text=True)
    # The rest: the sale ends refunded, everything back.
    client.post(f"/sales/{sale_id}/cancel", data={"action": "refund"})
    assert _balance(app, customer_id) == 400


def test_partial_refund_refuses_more_than_was_sold(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = _member(app, make_customer, points=0)
    assert _checkout(client, shop, customer_id, lines=(("Menu", 2, 1000), ("Café", 1, 300))).status_code == 302
    sale_id = _sale_id(app)
    with app.app_context():
        from extensions import db
        menu_id = db.session.get(Sale, sale_id).items[0].id
    client.post(f"/sales/{sale_id}/refund-items", data={f"refund_qty_{menu_id}": "3"})
    assert get(app, Sale, sale_id).refunded_cents == 0


# --- an archived customer at the till ---------------------------------------------------

def _archived(app, make_customer):
    from extensions import db
    customer_id = make_customer(first_name="Zoé", last_name="Archivée")
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        customer.archived = True
        db.session.commit()
    return customer_id


def test_an_archived_customer_is_named_at_the_till_with_a_way_to_unarchive(app, signed_in, make_customer):
    customer_id = _archived(app, make_customer)
    client = signed_in("manager")
    page = client.htmx("get", "/sales/counter/customers?customer_q=zoe").get_data(as_text=True)
    assert "Ce client est archivé." in page and "Zoé Archivée" in page
    assert "Aucun client ne correspond" not in page
    assert f"/sales/counter/customers/{customer_id}/unarchive" in page
    response = client.htmx("post", f"/sales/counter/customers/{customer_id}/unarchive")
    assert response.status_code == 200
    block = response.get_data(as_text=True)
    assert f'name="customer_id" value="{customer_id}"' in block
    assert get(app, Customer, customer_id).archived is False


def test_a_cashier_who_may_not_unarchive_is_told_who_can(app, signed_in, make_customer):
    customer_id = _archived(app, make_customer)
    client = signed_in("cashier")
    page = client.htmx("get", "/sales/counter/customers?customer_q=zoe").get_data(as_text=True)
    assert "Ce client est archivé." in page and "/unarchive" not in page
    assert client.htmx("post", f"/sales/counter/customers/{customer_id}/unarchive").status_code == 403
    assert get(app, Customer, customer_id).archived is True


def test_archived_customers_are_not_named_when_active_ones_match(app, signed_in, make_customer):
    _archived(app, make_customer)
    make_customer(first_name="Zoé", last_name="Active")
    page = signed_in("manager").htmx("get", "/sales/counter/customers?customer_q=zoe").get_data(as_text=True)
    assert "Zoé Active" in page and "Archivée" not in page
