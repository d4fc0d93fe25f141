"""An employee's own password at /account/password, and the temporary password
(new employee, reset) that must be replaced before any other page opens."""
import re

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, CSRFClient, sign_in

NEW_PASSWORD = "tartine-confiture-42"


def _new_client(app) -> CSRFClient:
    app.test_client_class = CSRFClient
    return app.test_client()


def _employee(app, employee_id):
    from extensions import db
    from models import Employee
    with app.app_context():
        employee = db.session.get(Employee, employee_id)
        db.session.expunge(employee)
        return employee


def _events(app, action):
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, **kwargs):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new if confirm is None else confirm}, **kwargs)


def _errors(html: str) -> list[str]:
    return [message.replace("&#39;", "'") for message in re.findall(r'<small class="error"[^>]*>([^<]*)<', html)]


# --- changing one's password ---------------------------------------------------

def test_changed_password_signs_in_and_the_old_one_no_longer_does(app, signed_in):
    client = signed_in("cashier", email="c@boutique.example")
    response = _change(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/customers")
    assert "Votre mot de passe est changé." in client.get("/customers").get_data(as_text=True)
    assert sign_in(_new_client(app), "c@boutique.example", PASSWORD).status_code == 401
    assert sign_in(_new_client(app), "c@boutique.example", NEW_PASSWORD).status_code == 302
    assert NEW_PASSWORD not in _employee(app, client.employee_id).password_hash


def test_account_page_links_to_the_password_page(signed_in):
    client = signed_in("cashier")
    assert 'href="/account/password"' in client.get("/account").get_data(as_text=True)
    response = client.get("/account/password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="current_password"' in html and 'name="new_password"' in html and 'name="confirm"' in html
    assert "temporaire" not in html  # no reason to give: the employee came of their own accord


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("not-my-password", NEW_PASSWORD, NEW_PASSWORD, "current_password", "Ce n’est pas votre mot de passe actuel."),
    (PASSWORD, "court", "court", "new_password", "Au moins 10 caractères."),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm", "Les deux mots de passe diffèrent."),
    (PASSWORD, PASSWORD, PASSWORD, "new_password", "Choisissez un mot de passe différent de l’actuel."),
], ids=["wrong_current", "too_short", "mismatch", "same_as_current"])
def test_refused_change_says_why_beside_the_field_and_changes_nothing(app, signed_in, current, new, confirm,
                                                                      field, message):
    client = signed_in("cashier", email="c@boutique.example")
    hash_before = _employee(app, client.employee_id).password_hash
    response = _change(client, current, new, confirm)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _errors(html) == [message]
    assert f'id="{field}-error"' in html
    assert _employee(app, client.employee_id).password_hash == hash_before
    assert _events(app, "password_changed") == []
    assert client.get("/customers").status_code == 200  # still signed in
    assert sign_in(_new_client(app), "c@boutique.example", PASSWORD).status_code == 302


def test_htmx_refusal_is_a_422(signed_in):
    client = signed_in("cashier")
    response = client.htmx("post", "/account/password",
                           data={"current_password": "nope", "new_password": "x", "confirm": "y"})
    assert response.status_code == 422


def test_password_change_needs_the_csrf_token(app, signed_in):
    client = signed_in("cashier", email="c@boutique.example")
    client.send_csrf = False
    assert _change(client).status_code == 400
    assert sign_in(_new_client(app), "c@boutique.example", PASSWORD).status_code == 302
    assert _events(app, "password_changed") == []


def test_password_page_needs_sign_in(client, shop):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_repeated_wrong_current_passwords_are_throttled(signed_in):
    client = signed_in("cashier")
    statuses = [_change(client, current="guess-%d" % n).status_code for n in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


# --- sessions and audit --------------------------------------------------------

def test_change_ends_the_other_sessions_and_keeps_this_one(app, signed_in):
    client = signed_in("cashier", email="c@boutique.example")
    other = _new_client(app)
    assert sign_in(other, "c@boutique.example").status_code == 302
    assert other.get("/customers").status_code == 200
    assert _change(client).status_code == 302
    response = other.get("/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/customers").status_code == 200
    from extensions import db
    from models import EmployeeSession
    with app.app_context():
        assert len(db.session.scalars(select(EmployeeSession)
                                      .where(EmployeeSession.employee_id == client.employee_id)).all()) == 1


def test_change_is_audited_without_the_password(app, signed_in):
    client = signed_in("cashier")
    _change(client)
    event, = _events(app, "password_changed")
    assert (event.target_type, event.target_id, event.employee_id) == ("employee", client.employee_id,
                                                                       client.employee_id)
    assert not event.details
    assert PASSWORD not in str(event.details) and NEW_PASSWORD not in str(event.details)


# --- the temporary password -------------------------------------------------------

def _add_through_team_page(owner, shop) -> str:
    response = owner.post("/team/employees/new", data={
        "name": "Camille Roy", "email": "camille@boutique.example", "permission_set": shop["sets"]["Employé"],
        "locations": [shop["location_id"]], "language": "fr"})
    assert response.status_code == 200
    return re.search(r'id="temp-password">([^<]+)<', response.get_data(as_text=True)).group(1)


def test_new_employee_must_choose_a_password_before_any_other_page(app, signed_in, shop):
    temporary = _add_through_team_page(signed_in("owner"), shop)
    camille = _new_client(app)
    assert sign_in(camille, "camille@boutique.example", temporary).status_code == 302
    for url in ("/customers", "/", "/account", "/sales"):
        response = camille.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password"), url
    # A form posted elsewhere is not carried out either.
    response = camille.post("/customers/new", data={"first_name": "Zoé"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    page = camille.get("/account/password")
    assert page.status_code == 200
    assert "celui que vous avez reçu était temporaire" in page.get_data(as_text=True)

    assert _change(camille, current=temporary).status_code == 302
    assert camille.get("/customers").status_code == 200
    from extensions import db
    from models import Customer, Employee
    with app.app_context():
        assert db.session.scalar(select(Customer).where(Customer.first_name == "Zoé")) is None
        employee = db.session.scalar(select(Employee).where(Employee.email == "camille@boutique.example"))
        assert employee.must_change_password is False


def test_htmx_request_with_a_temporary_password_gets_hx_redirect(app, signed_in, shop):
    temporary = _add_through_team_page(signed_in("owner"), shop)
    camille = _new_client(app)
    sign_in(camille, "camille@boutique.example", temporary)
    response = camille.htmx("get", "/customers?q=martin")
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/account/password"


def test_employee_created_by_the_service_must_change_password(app, shop, make_employee):
    from blueprints.team import employees
    from extensions import db
    from models import Employee
    owner_id = make_employee("owner")
    with app.app_context():
        employee, temporary = employees.create_employee(db.session.get(Employee, owner_id), name="Lou",
                                                      email="lou@boutique.example",
                                                      permission_set_id=shop["sets"]["Employé"])
        db.session.commit()
        assert employee.must_change_password is True
    lou = _new_client(app)
    sign_in(lou, "lou@boutique.example", temporary)
    assert lou.get("/customers").headers["Location"].endswith("/account/password")


def test_temporary_password_still_allows_logout_language_and_static_files(app, signed_in, shop):
    temporary = _add_through_team_page(signed_in("owner"), shop)
    camille = _new_client(app)
    sign_in(camille, "camille@boutique.example", temporary)
    assert camille.get("/static/app.css").status_code == 200
    camille.post("/language", data={"language": "en", "next": "/account/password"})
    from extensions import db
    from models import Employee
    with app.app_context():
        assert db.session.scalar(select(Employee.language)
                                 .where(Employee.email == "camille@boutique.example")) == "en"
    assert "the one you were given was temporary" in camille.get("/account/password").get_data(as_text=True)
    response = camille.post("/logout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "/login" in camille.get("/customers").headers["Location"]


def test_password_reset_makes_the_password_temporary_again(app, signed_in, make_employee):
    owner = signed_in("owner")
    cashier_id = make_employee("cashier", email="c@boutique.example")
    assert _employee(app, cashier_id).must_change_password is False
    response = owner.post(f"/team/employees/{cashier_id}/password")
    temporary = re.search(r'id="temp-password">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert _employee(app, cashier_id).must_change_password is True
    cashier = _new_client(app)
    sign_in(cashier, "c@boutique.example", temporary)
    assert cashier.get("/customers").headers["Location"].endswith("/account/password")


def test_first_owner_from_setup_keeps_the_password_they_chose(client):
    client.post("/setup", data={"shop_name": "Chez Léa", "name": "Léa", "email": "lea@example.com",
                                "password": "long-enough-pw", "confirm": "long-enough-pw"})
    assert client.get("/customers").status_code == 200
