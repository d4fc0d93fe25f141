"""Request tests: the groups page (create, rename, delete with its count,
members of each) and the earn-rate settings."""
from decimal import Decimal

from sqlalchemy import select

from models import AuditEvent, Group, ShopSettings
from tests.support_loyalty import member, read


def _group_id(app, name):
    from extensions import db
    with app.app_context():
        return db.session.scalar(select(Group.id).where(Group.name == name))


def test_create_rename_and_delete_a_group(app, signed_in, make_customer):
    client = signed_in("manager")
    created = client.htmx("post", "/loyalty/groups", data={"name": "Habitués"})
    assert created.status_code == 200 and "Habitués" in created.get_data(as_text=True)
    group_id = _group_id(app, "Habitués")
    renamed = client.htmx("post", f"/loyalty/groups/{group_id}/rename", data={"name": "Fidèles"})
    assert renamed.status_code == 200 and "Fidèles" in renamed.get_data(as_text=True)
    for first in ("A", "B"):
        customer_id = member(app, make_customer, first_name=first)
        client.htmx("post", f"/loyalty/members/{customer_id}/groups", data={"name": "Fidèles"})
    page = client.get("/loyalty/groups").get_data(as_text=True)
    assert "2 clients en font partie ; ils en seront retirés." in page
    deleted = client.htmx("post", f"/loyalty/groups/{group_id}/delete")
    assert deleted.status_code == 200
    assert "Groupe « Fidèles » supprimé ; 2 clients en ont été retirés." in deleted.get_data(as_text=True)
    assert _group_id(app, "Fidèles") is None
    from extensions import db
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"group_created", "group_renamed", "group_deleted"} <= set(actions)


def test_a_duplicate_group_name_is_refused_beside_the_field(app, signed_in, shop):
    client = signed_in("manager")
    client.post("/loyalty/groups", data={"name": "VIP"})
    response = client.htmx("post", "/loyalty/groups", data={"name": "vip"})
    assert response.status_code == 422 and "Un groupe porte déjà ce nom." in response.get_data(as_text=True)
    other = client.htmx("post", "/loyalty/groups", data={"name": "Voisins"})
    assert other.status_code == 200
    refused = client.htmx("post", f"/loyalty/groups/{_group_id(app, 'Voisins')}/rename", data={"name": "VIP"})
    assert refused.status_code == 422 and "Un groupe porte déjà ce nom." in refused.get_data(as_text=True)


def test_group_page_lists_its_customers_members_or_not(app, signed_in, make_customer):
    client = signed_in("manager")
    loyal = member(app, make_customer, first_name="Léa", points=12)
    client.htmx("post", f"/loyalty/members/{loyal}/groups", data={"name": "Quartier"})
    group_id = _group_id(app, "Quartier")
    outsider = make_customer(first_name="Marc", last_name="Voisin")
    from extensions import db
    from models import Customer
    with app.app_context():
        customer = db.session.get(Customer, outsider)
        customer.groups.append(db.session.get(Group, group_id))
        db.session.commit()
    html = client.get(f"/loyalty/groups/{group_id}").get_data(as_text=True)
    assert "Léa" in html and "Marc Voisin" in html and "2 clients" in html and "Hors programme" in html


def test_groups_created_here_filter_the_members_list(app, signed_in, make_customer):
    client = signed_in("manager")
    client.post("/loyalty/groups", data={"name": "Brunch"})
    html = client.get("/loyalty").get_data(as_text=True)
    assert f'<option value="{_group_id(app, "Brunch")}"' in html


def test_cashier_sees_groups_but_cannot_change_them(app, signed_in, shop):
    client = signed_in("cashier")
    html = client.get("/loyalty/groups").get_data(as_text=True)
    assert "Créer le groupe" not in html
    assert client.post("/loyalty/groups", data={"name": "VIP"}).status_code == 403


def test_deleting_a_missing_group_is_not_found(app, signed_in, shop):
    assert signed_in("manager").post("/loyalty/groups/999/delete").status_code == 404


# --- settings ---------------------------------------------------------------------------------

def test_owner_sets_the_earn_rate_with_a_decimal_comma(app, signed_in, shop):
    client = signed_in("owner")
    page = client.get("/loyalty/settings").get_data(as_text=True)
    assert 'value="1"' in page
    response = client.post("/loyalty/settings", data={"earn_rate": "1,5", "reward_validity_days": "60"})
    assert response.status_code == 302
    from extensions import db
    with app.app_context():
        settings = ShopSettings.get()
        assert settings.earn_rate == Decimal("1.5") and settings.reward_validity_days == 60
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings_changed"))
        assert event.details == {"fields": ["earn_rate", "reward_validity_days"]}
    assert 'value="1,5"' in client.get("/loyalty/settings").get_data(as_text=True)


def test_a_wrong_earn_rate_is_refused_beside_the_field(app, signed_in, shop):
    response = signed_in("owner").post("/loyalty/settings", data={"earn_rate": "-2", "reward_validity_days": "60"})
    assert response.status_code == 422 and "entre 0 et 1000" in response.get_data(as_text=True)


def test_settings_need_team_manage(app, signed_in, shop):
    client = signed_in("manager")
    assert client.get("/loyalty/settings").status_code == 403
    assert client.post("/loyalty/settings", data={"earn_rate": "9", "reward_validity_days": "60"}).status_code == 403


def test_the_earn_rate_drives_points_from_sales(app, signed_in, make_customer, shop):
    client = signed_in("owner")
    client.post("/loyalty/settings", data={"earn_rate": "2", "reward_validity_days": "90"})
    member_id = member(app, make_customer)
    from blueprints.loyalty.points import earn_for_sale
    from extensions import db
    from models import Sale
    with app.test_request_context():
        sale = Sale(location_id=shop["location_id"], customer_id=member_id, total_cents=1250)
        db.session.add(sale)
        db.session.flush()
        assert earn_for_sale(sale, None) == 25  # 12.50 x 2
        db.session.commit()
    assert read(app, member_id).points_balance == 25
