"""The catalogue of reward kinds (issue 11): defined in the loyalty settings,
chosen when a reward is granted, applied at the till like any reward with a kind."""
import pytest
from sqlalchemy import select

from models import AuditEvent, Reward, RewardType, Sale
from tests.support_loyalty import member
from tests.support_sales import get, sale_form


def _add_type(client, **fields):
    data = {"type-name": "Bon de 5 €", "type-kind": "fixed", "type-value": "5", "type-item_name": ""}
    data.update({f"type-{key}": value for key, value in fields.items()})
    return client.post("/loyalty/settings/reward-types", data=data)


def _create_type(app, name, kind, value=None, item_name=None) -> int:
    """A catalogue entry written through the service (for tests about what follows)."""
    from blueprints.loyalty import reward_types
    from extensions import db
    with app.test_request_context():
        reward_type = reward_types.create_type(name, kind, value, item_name, None)
        db.session.commit()
        return reward_type.id


def _types(app):
    from extensions import db
    with app.app_context():
        return [(t.name, t.kind, t.value, t.item_name) for t in db.session.scalars(select(RewardType).order_by(RewardType.id))]


def _type_id(app, name):
    from extensions import db
    with app.app_context():
        return db.session.scalar(select(RewardType.id).where(RewardType.name == name))


@pytest.mark.parametrize("fields, stored", [
    ({}, ("Bon de 5 €", "fixed", 500, None)),
    ({"name": "Dix pour cent", "kind": "percent", "value": "10 %"}, ("Dix pour cent", "percent", 10, None)),
    ({"name": "Café offert", "kind": "item", "value": "", "item_name": "Café"}, ("Café offert", "item", None, "Café")),
])
def test_the_owner_adds_a_kind_of_reward_to_the_catalogue(app, signed_in, fields, stored):
    client = signed_in("owner")
    response = _add_type(client, **fields)
    assert response.status_code == 302
    assert _types(app) == [stored]
    page = client.get("/loyalty/settings").get_data(as_text=True)
    assert 'id="reward-types"' in page and stored[0] in page
    from extensions import db
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings_changed"))
        assert event.details["fields"] == ["reward_types"]


@pytest.mark.parametrize("fields, field, message", [
    ({"name": ""}, "type-name", "Saisissez le nom de la récompense."),
    ({"value": ""}, "type-value", "Saisissez un montant, par exemple 5 ou 4,50."),
    ({"kind": "percent", "value": "150"}, "type-value", "Un pourcentage entier entre 1 et 100."),
    ({"kind": "item", "value": ""}, "type-item_name", "Saisissez l’article offert, tel qu’il est vendu."),
    ({"kind": ""}, "type-kind", "Choisissez le type de récompense."),
])
def test_a_bad_kind_gets_a_message_beside_its_field(app, signed_in, fields, field, message):
    response = _add_type(signed_in("owner"), **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<small class="error" id="{field}-error">{message}</small>' in page
    assert _types(app) == []


def test_names_are_unique_ignoring_case(app, signed_in):
    client = signed_in("owner")
    assert _add_type(client).status_code == 302
    response = _add_type(client, name="BON DE 5 €", value="7")
    assert response.status_code == 422
    assert "existe déjà dans le catalogue" in response.get_data(as_text=True)
    assert len(_types(app)) == 1


def test_only_who_manages_the_settings_changes_the_catalogue(app, signed_in):
    type_id = _create_type(app, "Bon de 5 €", "fixed", "5")
    cashier = signed_in("manager")  # every right of the loyalty room, not the settings
    assert _add_type(cashier, name="Autre").status_code == 403
    assert cashier.post(f"/loyalty/settings/reward-types/{type_id}/delete").status_code == 403
    assert len(_types(app)) == 1


def test_the_owner_removes_a_kind_from_the_catalogue(app, signed_in):
    type_id = _create_type(app, "Bon de 5 €", "fixed", "5")
    client = signed_in("owner")
    response = client.post(f"/loyalty/settings/reward-types/{type_id}/delete")
    assert response.status_code == 302
    assert _types(app) == []
    assert client.post(f"/loyalty/settings/reward-types/{type_id}/delete").status_code == 404
    other_id = _create_type(app, "Dix pour cent", "percent", "10")
    response = client.htmx("post", f"/loyalty/settings/reward-types/{other_id}/delete")
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/loyalty/settings")
    assert _types(app) == []


def test_the_grant_form_offers_the_catalogue_and_takes_the_kind_from_it(app, signed_in, make_customer, shop):
    type_id = _create_type(app, "Dessert offert", "item", item_name="Tarte")
    customer_id = member(app, make_customer, points=0, first_name="Élodie", last_name="Dupont")
    manager = signed_in("manager")
    panel = manager.get(f"/loyalty/members/{customer_id}").get_data(as_text=True)
    assert f'<option value="{type_id}">Dessert offert (Article offert : Tarte)</option>' in panel
    # The kind typed beside is ignored: the catalogue's kind wins; an empty name takes the type's.
    response = manager.post(f"/loyalty/members/{customer_id}/rewards", data={
        "reward-type_id": str(type_id), "reward-name": "", "reward-validity_days": "",
        "reward-kind": "fixed", "reward-value": "50"})
    assert response.status_code == 302
    from extensions import db
    with app.app_context():
        reward = db.session.scalar(select(Reward))
        assert (reward.name, reward.kind, reward.value, reward.item_name) == ("Dessert offert", "item", None, "Tarte")
        reward_id = reward.id
    # Removing the type from the catalogue leaves the earned reward as it was.
    from blueprints.loyalty import reward_types
    with app.test_request_context():
        reward_types.delete_type(db.session.get(RewardType, type_id), None)
        db.session.commit()
    # At the till, the reward takes the free item off the sale.
    response = manager.post("/sales/new", data=sale_form(
        shop["location_id"], lines=(("Tarte", 1, 450), ("Café", 1, 350)),
        customer_id=customer_id, adjust_for=customer_id, reward_id=reward_id))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        sale_id = db.session.scalar(select(Sale.id))
    sale = get(app, Sale, sale_id)
    assert (sale.reward_discount_cents, sale.total_cents, sale.reward_label) == (450, 350, "Dessert offert")


def test_a_type_no_longer_in_the_catalogue_is_refused_beside_the_field(app, signed_in, make_customer):
    customer_id = member(app, make_customer, points=0, first_name="Élodie", last_name="Dupont")
    client = signed_in("manager")
    response = client.htmx("post", f"/loyalty/members/{customer_id}/rewards", data={
        "reward-type_id": "987", "reward-name": "", "reward-validity_days": ""})
    assert response.status_code == 422
    assert ('<small class="error" id="reward-type_id-error">Cette récompense n’est plus au catalogue : '
            'choisissez-en une autre.</small>') in response.get_data(as_text=True)


def test_without_a_type_or_a_name_the_grant_asks_for_the_name(app, signed_in, make_customer):
    customer_id = member(app, make_customer, points=0, first_name="Élodie", last_name="Dupont")
    response = signed_in("manager").htmx("post", f"/loyalty/members/{customer_id}/rewards", data={
        "reward-type_id": "", "reward-name": " ", "reward-validity_days": ""})
    assert response.status_code == 422
    assert '<small class="error" id="reward-name-error">Saisissez le nom de la récompense.</small>' in \
        response.get_data(as_text=True)
