"""Request tests: Ajouter des points / Utiliser des points by username, the
panel's quick form, and the cached balance always equal to the ledger's sum."""
import pytest
from sqlalchemy import select

from models import PointsEntry, Reward
from tests.support_loyalty import balance_and_ledger, member


def _ledger(app, member_id):
    with app.app_context():
        return balance_and_ledger(member_id)


def test_add_points_by_email_shows_the_new_balance_at_once(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont",
                       email="elodie@example.fr", points=10)
    client = signed_in("cashier")
    response = client.htmx("post", "/loyalty/points/add",
                           data={"username": "Elodie@Example.fr", "points": "25", "reason": "Erreur de caisse"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "25 points ajoutés." in html and "Élodie Dupont" in html
    assert 'data-balance>35<' in html
    assert 'value="Elodie@Example.fr"' in html  # ready for the next change
    assert _ledger(app, member_id) == (35, 35)
    from extensions import db
    with app.app_context():
        entry = db.session.scalar(select(PointsEntry).order_by(PointsEntry.id.desc()))
        assert (entry.kind, entry.delta, entry.reason, entry.employee_id) == ("add", 25, "Erreur de caisse",
                                                                            client.employee_id)


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "+33612345678", "0612345678", "06-12-34-56-78"])
def test_username_is_a_phone_in_any_format(app, signed_in, make_customer, typed):
    member_id = member(app, make_customer, phones=["06 12 34 56 78"])
    response = signed_in("cashier").post("/loyalty/points/add", data={"username": typed, "points": "5"})
    assert response.status_code == 200
    assert _ledger(app, member_id) == (5, 5)


def test_redeem_lowers_the_balance_and_grants_no_reward(app, signed_in, make_customer):
    member_id = member(app, make_customer, email="elodie@example.fr", points=100)
    response = signed_in("cashier").htmx("post", "/loyalty/points/redeem",
                                         data={"username": "elodie@example.fr", "points": "60"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "60 points utilisés." in html and "data-balance>40<" in html
    assert _ledger(app, member_id) == (40, 40)
    from extensions import db
    with app.app_context():
        assert db.session.scalar(select(Reward)) is None


def test_redeem_above_the_balance_is_refused_with_a_clear_message(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont",
                       email="elodie@example.fr", points=30)
    response = signed_in("cashier").htmx("post", "/loyalty/points/redeem",
                                         data={"username": "elodie@example.fr", "points": "31"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Solde insuffisant : Élodie Dupont n’a que 30 points." in html
    assert _ledger(app, member_id) == (30, 30)


def test_username_of_two_members_is_refused_naming_the_ambiguity(app, signed_in, make_customer):
    first = member(app, make_customer, first_name="Élodie", last_name="Dupont", phones=["06 12 34 56 78"])
    second = member(app, make_customer, first_name="Paul", last_name="Dupont", phones=["0612345678"])
    response = signed_in("cashier").post("/loyalty/points/add", data={"username": "0612345678", "points": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "correspond à 2 membres" in html and "Élodie Dupont" in html and "Paul Dupont" in html
    assert _ledger(app, first) == (0, 0) and _ledger(app, second) == (0, 0)


@pytest.mark.parametrize("points", ["0", "-5", "2.5", "dix", ""])
def test_points_must_be_a_whole_positive_number(app, signed_in, make_customer, points):
    member_id = member(app, make_customer, email="elodie@example.fr", points=10)
    response = signed_in("cashier").post("/loyalty/points/add",
                                         data={"username": "elodie@example.fr", "points": points})
    assert response.status_code == 422
    assert "Saisissez un nombre entier de points supérieur à zéro." in response.get_data(as_text=True)
    assert _ledger(app, member_id) == (10, 10)


def test_unknown_username_is_refused(app, signed_in, shop):
    response = signed_in("cashier").post("/loyalty/points/add", data={"username": "personne@example.fr", "points": "5"})
    assert response.status_code == 422 and "Aucun membre" in response.get_data(as_text=True)


def test_points_pages_need_loyalty_points(app, signed_in, make_customer):
    member(app, make_customer, email="elodie@example.fr")
    client = signed_in(capabilities={"customers.basic"})
    assert client.get("/loyalty/points/add").status_code == 403
    assert client.post("/loyalty/points/redeem", data={"username": "elodie@example.fr", "points": "1"}).status_code == 403
    assert "Ajouter des points" not in client.get("/loyalty").get_data(as_text=True)


def test_points_pages_are_full_pages_with_the_seed_fields(app, signed_in, shop):
    client = signed_in("cashier")
    add = client.get("/loyalty/points/add").get_data(as_text=True)
    assert "<html" in add and "Nom d’utilisateur" in add and 'name="points"' in add
    redeem = client.get("/loyalty/points/redeem").get_data(as_text=True)
    assert "Utiliser des points" in redeem


def test_panel_quick_form_adds_then_redeems_and_shows_the_balance(app, signed_in, make_customer):
    member_id = member(app, make_customer, points=5)
    client = signed_in("cashier")
    added = client.htmx("post", f"/loyalty/members/{member_id}/points",
                        data={"quick-points": "20", "action": "add"})
    assert added.status_code == 200 and "data-balance>25<" in added.get_data(as_text=True)
    assert added.headers["HX-Trigger"] == "loyalty-changed"
    redeemed = client.htmx("post", f"/loyalty/members/{member_id}/points",
                           data={"quick-points": "25", "action": "redeem"})
    assert redeemed.status_code == 200 and "data-balance>0<" in redeemed.get_data(as_text=True)
    refused = client.htmx("post", f"/loyalty/members/{member_id}/points",
                          data={"quick-points": "1", "action": "redeem"})
    assert refused.status_code == 422 and "Solde insuffisant" in refused.get_data(as_text=True)
    assert _ledger(app, member_id) == (0, 0)


def test_panel_shows_the_latest_ledger_rows_with_who_and_why(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    client = signed_in("cashier")
    client.htmx("post", f"/loyalty/members/{member_id}/points",
                data={"quick-points": "7", "quick-reason": "Retour d’un article", "action": "add"})
    html = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "+7" in html and "Retour d’un article" in html and "Cashier" in html


def test_balance_equals_the_ledger_after_a_mixed_sequence(app, signed_in, make_customer):
    member_id = member(app, make_customer, email="elodie@example.fr")
    client = signed_in("owner")
    for action, points in [("add", 50), ("redeem", 20), ("redeem", 40), ("add", 5), ("redeem", 35)]:
        client.post(f"/loyalty/points/{action}", data={"username": "elodie@example.fr", "points": str(points)})
    assert _ledger(app, member_id) == (0, 0)
    from extensions import db
    with app.app_context():
        kinds = db.session.scalars(select(PointsEntry.kind).where(PointsEntry.customer_id == member_id)
                                   .order_by(PointsEntry.id)).all()
    assert kinds == ["add", "redeem", "add", "redeem"]  # the refused 40 wrote nothing


def test_points_earned_by_a_sale_show_which_sale_in_the_panel(app, signed_in, make_customer, shop):
    member_id = member(app, make_customer)
    from blueprints.loyalty.points import earn_for_sale
    from extensions import db
    from models import Sale
    with app.test_request_context():
        sale = Sale(location_id=shop["location_id"], customer_id=member_id, total_cents=3000)
        db.session.add(sale)
        db.session.flush()
        earn_for_sale(sale, None)
        db.session.commit()
        sale_id = sale.id
    html = signed_in("cashier").get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert f"Vente n° {sale_id}" in html and "+30" in html
