"""Employees at /team: list, add (temporary password shown once), edit,
deactivate/reactivate, reset password, the last owner rule, sessions that
follow changes, and the audit events of each."""
import re

from sqlalchemy import select

from tests.conftest import PASSWORD, CSRFClient, sign_in


def _events(app, action):
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _employee(app, employee_id):
    from extensions import db
    from models import Employee
    with app.app_context():
        employee = db.session.get(Employee, employee_id)
        db.session.expunge(employee)
        return employee


def _new_client(app) -> CSRFClient:
    app.test_client_class = CSRFClient
    return app.test_client()


def _add(client, shop, **overrides):
    data = {"name": "Camille Roy", "email": "camille@boutique.example",
            "permission_set": shop["sets"]["Employé"], "locations": [shop["location_id"]], "language": "fr"}
    data.update(overrides)
    return client.post("/team/employees/new", data=data)


def test_team_list_shows_each_employee_with_set_location_language_and_state(signed_in, make_employee, app):
    client = signed_in("owner")
    make_employee("cashier", name="Bastien Caisse", email="bastien@boutique.example", active=False, language="en")
    html = client.get("/team").get_data(as_text=True)
    assert "Bastien Caisse" in html and "bastien@boutique.example" in html
    assert "Employé" in html and "English" in html and "Désactivé" in html
    assert "Jamais" in html  # never signed in


def test_team_page_needs_team_manage(signed_in):
    client = signed_in("manager")
    assert client.get("/team").status_code == 403


def test_adding_an_employee_shows_a_temporary_password_once_and_stores_only_its_hash(signed_in, shop, app):
    client = signed_in("owner")
    response = _add(client, shop)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    password = re.search(r'id="temp-password">([^<]+)<', html).group(1)
    assert len(password) >= 12
    from extensions import db
    from models import Employee
    with app.app_context():
        employee = db.session.scalar(select(Employee).where(Employee.email == "camille@boutique.example"))
        assert password not in employee.password_hash
        assert [loc.id for loc in employee.locations] == [shop["location_id"]]
        employee_id = employee.id
    # The password is nowhere else: not on the list, not on the edit page.
    assert password not in client.get("/team").get_data(as_text=True)
    assert password not in client.get(f"/team/employees/{employee_id}/edit").get_data(as_text=True)
    # And it works.
    other = _new_client(app)
    assert sign_in(other, "camille@boutique.example", password).status_code == 302
    event, = _events(app, "employee_created")
    assert event.target_id == employee_id and event.details["set"] == shop["sets"]["Employé"]


def test_employee_email_must_be_valid_and_unique(signed_in, shop, make_employee):
    client = signed_in("owner")
    make_employee("cashier", email="pris@boutique.example")
    response = _add(client, shop, email="pas-une-adresse")
    assert response.status_code == 422
    assert "pas valide" in response.get_data(as_text=True)
    response = _add(client, shop, email="PRIS@boutique.example")
    assert response.status_code == 422
    assert "utilise déjà cette adresse" in response.get_data(as_text=True)


def test_editing_an_employee_changes_set_and_is_audited(signed_in, make_employee, shop, app):
    client = signed_in("owner")
    cashier = make_employee("cashier", email="c@boutique.example", name="Caissier")
    response = client.post(f"/team/employees/{cashier}/edit", data={
        "name": "Caissière Principale", "email": "c@boutique.example",
        "permission_set": shop["sets"]["Gérant"], "locations": [], "language": "en"})
    assert response.status_code == 302
    employee = _employee(app, cashier)
    assert employee.name == "Caissière Principale" and employee.language == "en"
    assert employee.permission_set_id == shop["sets"]["Gérant"]
    event, = _events(app, "employee_updated")
    assert set(event.details["fields"]) == {"name", "permission_set", "language"}
    assert event.details["from_set"] == shop["sets"]["Employé"] and event.details["to_set"] == shop["sets"]["Gérant"]
    assert "Caissière" not in str(event.details)


def test_last_active_owner_cannot_be_demoted(signed_in, shop, app):
    client = signed_in("owner")
    response = client.post(f"/team/employees/{client.employee_id}/edit", data={
        "name": "Owner", "email": "owner@test.example", "permission_set": shop["sets"]["Gérant"],
        "locations": [], "language": "fr"})
    assert response.status_code == 422
    assert "dernier propriétaire actif" in response.get_data(as_text=True)
    assert _employee(app, client.employee_id).permission_set_id == shop["sets"]["Propriétaire"]


def test_an_owner_can_be_demoted_when_another_owner_remains(signed_in, make_employee, shop, app):
    client = signed_in("owner")
    second = make_employee("owner", email="second@test.example", name="Second")
    response = client.post(f"/team/employees/{second}/edit", data={
        "name": "Second", "email": "second@test.example", "permission_set": shop["sets"]["Gérant"],
        "language": "fr"})
    assert response.status_code == 302
    assert _employee(app, second).permission_set_id == shop["sets"]["Gérant"]


def test_last_active_owner_cannot_be_deactivated(signed_in, make_employee, shop, app):
    client = signed_in("owner")
    other_owner = make_employee("owner", email="other@test.example", name="Other", active=False)
    # The only *active* owner is the one signed in; an inactive owner does not count.
    from blueprints.team import owners
    from models import Employee
    from extensions import db
    with app.app_context():
        me = db.session.get(Employee, client.employee_id)
        assert owners.active_owner_count(excluding=me.id) == 0
    response = client.post(f"/team/employees/{other_owner}/reactivate")
    assert response.status_code == 302
    # Now two: the other one may be deactivated again, but not both.
    assert client.post(f"/team/employees/{other_owner}/deactivate").status_code == 302
    assert _employee(app, other_owner).active is False


def test_deactivation_ends_the_employees_sessions_at_once(signed_in, make_employee, app):
    owner = signed_in("owner")
    cashier_id = make_employee("cashier", email="c@boutique.example")
    cashier = _new_client(app)
    assert sign_in(cashier, "c@boutique.example").status_code == 302
    assert cashier.get("/customers").status_code == 200
    assert owner.post(f"/team/employees/{cashier_id}/deactivate").status_code == 302
    response = cashier.get("/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # And the password no longer signs in.
    assert sign_in(_new_client(app), "c@boutique.example").status_code == 401
    event, = _events(app, "employee_deactivated")
    assert event.target_id == cashier_id and event.employee_id == owner.employee_id


def test_reactivated_employee_can_sign_in_again(signed_in, make_employee, app):
    owner = signed_in("owner")
    cashier_id = make_employee("cashier", email="c@boutique.example", active=False)
    assert owner.post(f"/team/employees/{cashier_id}/reactivate").status_code == 302
    assert sign_in(_new_client(app), "c@boutique.example").status_code == 302
    assert len(_events(app, "employee_reactivated")) == 1


def test_an_employee_cannot_deactivate_themselves(signed_in, make_employee, app):
    owner = signed_in("owner")
    make_employee("owner", email="o2@test.example")
    owner.post(f"/team/employees/{owner.employee_id}/deactivate")
    assert _employee(app, owner.employee_id).active is True


def test_password_reset_shows_a_new_password_once_and_ends_sessions(signed_in, make_employee, app):
    owner = signed_in("owner")
    cashier_id = make_employee("cashier", email="c@boutique.example")
    cashier = _new_client(app)
    sign_in(cashier, "c@boutique.example")
    response = owner.post(f"/team/employees/{cashier_id}/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="temp-password">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert cashier.get("/customers").status_code == 302  # signed out
    assert sign_in(_new_client(app), "c@boutique.example", PASSWORD).status_code == 401
    assert sign_in(_new_client(app), "c@boutique.example", password).status_code == 302
    event, = _events(app, "password_reset")
    assert event.target_id == cashier_id and password not in str(event.details)


def test_a_changed_set_applies_on_the_next_request_without_signing_out(signed_in, make_employee, shop, app,
                                                                       make_customer):
    owner = signed_in("owner")
    customer_id = make_customer(first_name="Élodie", email="elodie.suivi@exemple.fr")
    cashier_id = make_employee("cashier", email="c@boutique.example", name="Caissier")
    cashier = _new_client(app)
    sign_in(cashier, "c@boutique.example")
    assert "elodie.suivi@exemple.fr" not in cashier.get(f"/customers/{customer_id}").get_data(as_text=True)
    owner.post(f"/team/employees/{cashier_id}/edit", data={
        "name": "Caissier", "email": "c@boutique.example", "permission_set": shop["sets"]["Gérant"],
        "language": "fr"})
    assert "elodie.suivi@exemple.fr" in cashier.get(f"/customers/{customer_id}").get_data(as_text=True)
    # A change to the set itself too: the manager set loses email.
    owner.htmx("post", f"/team/permissions/{shop['sets']['Gérant']}/field/email", data={"level": "none"})
    assert "elodie.suivi@exemple.fr" not in cashier.get(f"/customers/{customer_id}").get_data(as_text=True)
    # Still signed in all along.
    assert cashier.get("/customers").status_code == 200


def test_only_an_owner_may_hand_out_the_owner_set(signed_in, shop, make_employee, app):
    admin = signed_in(capabilities={"team.manage", "customers.basic"})
    response = _add(admin, shop, permission_set=shop["sets"]["Propriétaire"])
    assert response.status_code == 422
    owner_id = make_employee("owner", email="boss@test.example")
    # Nor reset an owner's password (which would hand over the shop).
    admin.post(f"/team/employees/{owner_id}/password")
    assert _events(app, "password_reset") == []


def test_a_forged_team_request_gets_403_and_an_audit_event(signed_in, shop, app):
    cashier = signed_in("cashier")
    response = _add(cashier, shop, email="intrus@boutique.example")
    assert response.status_code == 403
    event, = _events(app, "forbidden")
    assert event.employee_id == cashier.employee_id
    assert event.details == {"endpoint": "team.new_employee", "capability": "team.manage"}
    from extensions import db
    from models import Employee
    with app.app_context():
        assert db.session.scalar(select(Employee).where(Employee.email == "intrus@boutique.example")) is None


def test_team_forms_need_the_csrf_token(signed_in, shop):
    client = signed_in("owner")
    client.send_csrf = False
    assert _add(client, shop).status_code == 400
