"""Request tests: a member's panel — phones and Dissocier, groups as tags,
one-time rewards, Retirer du programme."""
import pytest
from sqlalchemy import select

from models import AuditEvent, Group, PointsEntry, Reward
from tests.support_loyalty import add_reward, balance_and_ledger, member, read


def _actions(app):
    from extensions import db
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_panel_is_a_page_and_an_htmx_fragment(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont", points=42)
    client = signed_in("cashier")
    page = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "<html" in page and "<h1" in page and "Élodie Dupont" in page and ">42<" in page
    fragment = client.htmx("get", f"/loyalty/members/{member_id}")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_panel_of_a_non_member_is_not_found(app, signed_in, make_customer):
    customer_id = make_customer()
    assert signed_in("cashier").get(f"/loyalty/members/{customer_id}").status_code == 404


@pytest.mark.parametrize("role, shows_phone, shows_unlink", [
    ("cashier", False, False), ("manager", True, True), ("owner", True, True)])
def test_panel_shows_phones_only_per_permission_set(app, signed_in, make_customer, role, shows_phone, shows_unlink):
    member_id = member(app, make_customer, phones=["06 12 34 56 78"], email="elodie@example.fr")
    html = signed_in(role).get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert ("06 12 34 56 78" in html) == shows_phone
    assert ("elodie@example.fr" in html) == shows_phone
    assert ("Dissocier" in html) == shows_unlink


def test_masked_phone_level_shows_the_last_two_digits_and_no_unlink(app, signed_in, make_customer):
    member_id = member(app, make_customer, phones=["06 12 34 56 78"])
    client = signed_in(capabilities={"customers.basic", "customers.phone.masked"})
    html = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "•• •• •• •• 78" in html and "06 12 34 56 78" not in html and "Dissocier" not in html


def test_unlink_keeps_the_number_in_history_and_it_no_longer_finds_the_member(app, signed_in, make_customer):
    member_id = member(app, make_customer, phones=["06 12 34 56 78", "07 98 76 54 32"])
    phone_id = read(app, member_id).phones[0].id
    client = signed_in("manager")
    response = client.htmx("post", f"/loyalty/members/{member_id}/phones/{phone_id}/unlink")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "loyalty-changed"
    assert "Dissocié le" in html and "06 12 34 56 78" in html
    phone = read(app, member_id).phones[0]
    assert phone.linked is False and phone.unlinked_at is not None
    added = client.post("/loyalty/points/add", data={"username": "0612345678", "points": "5"})
    assert added.status_code == 422 and "Aucun membre" in added.get_data(as_text=True)
    assert "phone_unlinked" in _actions(app)


def test_unlink_needs_phone_edit(app, signed_in, make_customer):
    member_id = member(app, make_customer, phones=["06 12 34 56 78"])
    phone_id = read(app, member_id).phones[0].id
    client = signed_in(capabilities={"customers.basic", "customers.phone.view"})
    assert client.htmx("post", f"/loyalty/members/{member_id}/phones/{phone_id}/unlink").status_code == 403
    assert read(app, member_id).phones[0].linked is True


def test_unlink_a_phone_of_another_customer_is_not_found(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    other = make_customer(first_name="Paul", phones=["06 12 34 56 78"])
    phone_id = read(app, other).phones[0].id
    assert signed_in("manager").htmx("post", f"/loyalty/members/{member_id}/phones/{phone_id}/unlink").status_code == 404


# --- groups as tags -------------------------------------------------------------------------------

def test_enter_on_a_new_name_creates_the_group_and_adds_the_tag(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    client = signed_in("manager")
    response = client.htmx("post", f"/loyalty/members/{member_id}/groups", data={"name": "Habitués"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="tag"' in html and "Habitués" in html
    assert "data-focus" in html  # ready for the next tag
    assert [g.name for g in read(app, member_id).groups] == ["Habitués"]


def test_an_existing_group_is_reused_and_suggested(app, signed_in, make_customer):
    first = member(app, make_customer, first_name="A")
    second = member(app, make_customer, first_name="B")
    client = signed_in("manager")
    client.htmx("post", f"/loyalty/members/{first}/groups", data={"name": "Clients fidèles"})
    options = client.htmx("get", "/loyalty/groups/suggest?name=fide").get_data(as_text=True)
    assert '<option value="Clients fidèles">' in options
    client.htmx("post", f"/loyalty/members/{second}/groups", data={"name": "clients FIDÈLES"})
    from extensions import db
    with app.app_context():
        assert db.session.scalars(select(Group.name)).all() == ["Clients fidèles"]
    assert [g.name for g in read(app, second).groups] == ["Clients fidèles"]


def test_the_cross_removes_a_tag(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    client = signed_in("manager")
    client.htmx("post", f"/loyalty/members/{member_id}/groups", data={"name": "VIP"})
    group_id = read(app, member_id).groups[0].id
    response = client.htmx("post", f"/loyalty/members/{member_id}/groups/{group_id}/remove")
    assert response.status_code == 200 and "Aucun groupe" in response.get_data(as_text=True)
    assert read(app, member_id).groups == []


def test_an_empty_group_name_is_refused_in_place(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    response = signed_in("manager").htmx("post", f"/loyalty/members/{member_id}/groups", data={"name": "  "})
    assert response.status_code == 422 and "Saisissez le nom du groupe." in response.get_data(as_text=True)


def test_tags_need_loyalty_groups(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    client = signed_in("cashier")
    assert client.htmx("post", f"/loyalty/members/{member_id}/groups", data={"name": "VIP"}).status_code == 403
    assert client.htmx("get", "/loyalty/groups/suggest?name=v").status_code == 403
    html = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "tag-editor" not in html


# --- one-time rewards --------------------------------------------------------------------------------

def test_rewards_show_earned_claimed_and_expired(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    add_reward(app, member_id, "Café offert", "earned")
    add_reward(app, member_id, "Dessert offert", "claimed")
    add_reward(app, member_id, "Croissant offert", "expired")
    html = signed_in("cashier").get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "Récompenses ponctuelles" in html
    for status, label in (("earned", "Obtenue"), ("claimed", "Réclamée"), ("expired", "Expirée")):
        assert f'badge-{status}">{label}<' in html


def test_claim_an_earned_reward(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    reward_id = add_reward(app, member_id)
    response = signed_in("manager").htmx("post", f"/loyalty/members/{member_id}/rewards/{reward_id}/claim")
    assert response.status_code == 200 and 'badge-claimed">Réclamée<' in response.get_data(as_text=True)
    assert "reward_claimed" in _actions(app)


def test_claiming_an_expired_reward_is_refused(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    reward_id = add_reward(app, member_id, status="expired")
    response = signed_in("manager").htmx("post", f"/loyalty/members/{member_id}/rewards/{reward_id}/claim")
    assert response.status_code == 422 and "expiré" in response.get_data(as_text=True)


def test_red_x_asks_first_and_revokes_an_earned_reward(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    reward_id = add_reward(app, member_id, "Café offert")
    client = signed_in("manager")
    html = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "hx-confirm=" in html and "sera révoquée" in html
    response = client.htmx("post", f"/loyalty/members/{member_id}/rewards/{reward_id}/delete")
    assert response.status_code == 200 and "Café offert" not in response.get_data(as_text=True)
    from extensions import db
    with app.app_context():
        assert db.session.get(Reward, reward_id) is None
    assert "reward_revoked" in _actions(app)


def test_rewards_need_loyalty_rewards(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    reward_id = add_reward(app, member_id)
    client = signed_in("cashier")
    assert client.htmx("post", f"/loyalty/members/{member_id}/rewards/{reward_id}/delete").status_code == 403
    assert client.htmx("post", f"/loyalty/members/{member_id}/rewards/{reward_id}/claim").status_code == 403
    html = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "revoke" not in html


def test_grant_a_reward(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    response = signed_in("manager").htmx("post", f"/loyalty/members/{member_id}/rewards",
                                          data={"reward-name": "Café offert", "reward-validity_days": "30"})
    assert response.status_code == 200 and 'badge-earned">Obtenue<' in response.get_data(as_text=True)


# --- Retirer du programme ------------------------------------------------------------------------------

def test_removal_needs_the_checkbox(app, signed_in, make_customer):
    member_id = member(app, make_customer, points=50)
    response = signed_in("owner").htmx("post", f"/loyalty/members/{member_id}/remove", data={})
    assert response.status_code == 422 and "Cochez la case" in response.get_data(as_text=True)
    assert read(app, member_id).loyalty_member is True


def test_removal_ends_membership_balance_and_rewards_and_keeps_the_customer(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", points=50)
    add_reward(app, member_id)
    client = signed_in("owner")
    response = client.htmx("post", f"/loyalty/members/{member_id}/remove", data={"remove-confirm": "y"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/loyalty"
    customer = read(app, member_id)
    assert customer is not None and customer.loyalty_member is False and customer.first_name == "Élodie"
    from extensions import db
    with app.app_context():
        assert balance_and_ledger(member_id) == (0, 0)
        assert db.session.scalar(select(PointsEntry.kind).order_by(PointsEntry.id.desc())) == "removal"
        assert db.session.scalar(select(Reward)) is None
    assert "loyalty_removed" in _actions(app)
    html = client.get("/loyalty").get_data(as_text=True)
    assert "Retrait du programme de fidélité" in html and ">Élodie<" not in html
    assert client.get(f"/loyalty/members/{member_id}").status_code == 404
    assert client.get(f"/customers/{member_id}").status_code == 200


def test_removal_needs_loyalty_remove(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    client = signed_in("manager")  # Gérant has no loyalty.remove by default
    assert client.htmx("post", f"/loyalty/members/{member_id}/remove", data={"remove-confirm": "y"}).status_code == 403
    assert "Retirer du programme" not in client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert read(app, member_id).loyalty_member is True


def test_unlinking_the_only_number_warns_that_the_email_stays_the_username(app, signed_in, make_customer):
    member_id = member(app, make_customer, phones=["06 12 34 56 78"], email="elodie@example.fr")
    phone_id = read(app, member_id).phones[0].id
    client = signed_in("manager")
    panel = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "gardera seulement son adresse courriel comme nom d’utilisateur" in panel
    response = client.htmx("post", f"/loyalty/members/{member_id}/phones/{phone_id}/unlink")
    assert response.status_code == 200
    assert "garde seulement son adresse courriel comme nom d’utilisateur" in response.get_data(as_text=True)
    assert read(app, member_id).phones[0].linked is False


def test_unlinking_the_only_username_is_refused(app, signed_in, make_customer):
    member_id = member(app, make_customer, phones=["06 12 34 56 78"])  # no email
    phone_id = read(app, member_id).phones[0].id
    client = signed_in("manager")
    panel = client.get(f"/loyalty/members/{member_id}").get_data(as_text=True)
    assert "Seul nom d’utilisateur de ce membre" in panel and f"/phones/{phone_id}/unlink" not in panel
    response = client.htmx("post", f"/loyalty/members/{member_id}/phones/{phone_id}/unlink")
    assert response.status_code == 422
    assert "seul nom d’utilisateur de ce membre" in response.get_data(as_text=True)
    assert read(app, member_id).phones[0].linked is True
    assert "phone_unlinked" not in _actions(app)


def test_unlinking_one_of_two_numbers_needs_no_email(app, signed_in, make_customer):
    member_id = member(app, make_customer, phones=["06 12 34 56 78", "07 98 76 54 32"])
    phone_id = read(app, member_id).phones[0].id
    response = signed_in("manager").htmx("post", f"/loyalty/members/{member_id}/phones/{phone_id}/unlink")
    assert response.status_code == 200 and "garde seulement" not in response.get_data(as_text=True)
