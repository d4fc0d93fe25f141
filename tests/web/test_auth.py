"""Sign-in, sessions, CSRF, first-run setup and the language switch."""
from sqlalchemy import func, select

from tests.conftest import PASSWORD, sign_in


def test_login_page_is_french_by_default(client, make_employee):
    make_employee("owner")
    html = client.get("/login").get_data(as_text=True)
    assert "Connexion" in html and 'lang="fr"' in html


def test_first_run_redirects_to_setup_and_creates_owner(client, app):
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/setup")
    response = client.post("/setup", data={"shop_name": "Chez Léa", "name": "Léa", "email": "lea@example.com",
                                           "password": "long-enough-pw", "confirm": "long-enough-pw"})
    assert response.status_code == 302
    from extensions import db
    from models import Employee
    with app.app_context():
        owner = db.session.scalar(select(Employee))
        assert owner.permission_set.is_owner
    # Once an owner exists, setup is closed.
    assert client.get("/setup").status_code == 302


def test_setup_form_errors_are_shown_beside_fields(client):
    response = client.post("/setup", data={"shop_name": "", "name": "Léa", "email": "not-an-email",
                                           "password": "short", "confirm": "other"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette adresse courriel n’est pas valide." in html or "Cette adresse courriel n’est pas valide." in html
    assert "Au moins 10 caractères." in html


def test_sign_in_with_wrong_password_is_refused(client, make_employee):
    make_employee("owner")
    response = sign_in(client, "owner@test.example", "wrong")
    assert response.status_code == 401
    assert "incorrect" in response.get_data(as_text=True)
    assert client.get("/customers").status_code == 302


def test_failed_sign_ins_are_throttled(client, make_employee):
    """Per client address (Flask-Limiter); each guess at another email, so the
    per-address throttle (test_auth_throttle.py) does not step in first."""
    make_employee("owner")
    statuses = [sign_in(client, f"guess{i}@test.example", "wrong").status_code for i in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # Throttled even with the right password until the window passes.
    assert sign_in(client, "owner@test.example").status_code == 429


def test_successful_sign_ins_are_not_throttled(client, make_employee):
    make_employee("owner")
    for _ in range(12):
        assert sign_in(client, "owner@test.example").status_code == 302
        client.post("/logout")


def test_session_cookie_is_httponly_and_samesite(client, make_employee):
    make_employee("owner")
    response = sign_in(client, "owner@test.example")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_a_copied_session(app, client, make_employee):
    make_employee("owner")
    sign_in(client, "owner@test.example")
    with client.session_transaction() as session:
        copied = dict(session)
    client.post("/logout")
    # Put the old cookie back, as an attacker who copied it would.
    with client.session_transaction() as session:
        session.update(copied)
    response = client.get("/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivated_employee_is_signed_out_on_next_request(app, signed_in):
    client = signed_in("cashier")
    assert client.get("/customers").status_code == 200
    from extensions import db
    from models import Employee
    with app.app_context():
        db.session.get(Employee, client.employee_id).active = False
        db.session.commit()
    assert client.get("/customers").status_code == 302


def test_changed_permission_set_applies_on_next_request(app, signed_in, shop):
    client = signed_in("cashier")
    assert client.get("/team").status_code == 403
    from extensions import db
    from models import Employee
    with app.app_context():
        db.session.get(Employee, client.employee_id).permission_set_id = shop["sets"]["Propriétaire"]
        db.session.commit()
    assert client.get("/team").status_code == 200


def test_post_without_csrf_token_is_refused(client, make_employee):
    make_employee("owner")
    client.send_csrf = False
    response = client.post("/login", data={"email": "owner@test.example", "password": PASSWORD})
    assert response.status_code == 400


def test_htmx_post_with_csrf_header_is_accepted(signed_in):
    client = signed_in("owner")
    response = client.htmx("post", "/language", data={"language": "en"})
    assert response.status_code == 302


def test_language_choice_is_kept_on_the_employee(app, signed_in):
    client = signed_in("owner")
    client.post("/language", data={"language": "en"})
    html = client.get("/customers").get_data(as_text=True)
    assert 'lang="en"' in html and "Customers" in html
    from extensions import db
    from models import Employee
    with app.app_context():
        assert db.session.get(Employee, client.employee_id).language == "en"


def test_forbidden_page_and_audit_event(app, signed_in):
    client = signed_in("cashier")
    response = client.get("/team")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "forbidden")) == 1


def test_forbidden_htmx_request_gets_a_message(signed_in):
    client = signed_in("cashier")
    response = client.htmx("get", "/team")
    assert response.status_code == 403
    assert "autorisations" in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)


def test_unknown_page_is_404(signed_in):
    client = signed_in("owner")
    response = client.get("/customers/999999")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_signed_out_htmx_request_is_told_to_redirect(client, make_employee):
    make_employee("owner")
    response = client.htmx("get", "/customers")
    assert response.status_code == 401
    assert "/login" in response.headers["HX-Redirect"]


def test_open_redirect_is_refused(client, make_employee):
    make_employee("owner")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": "owner@test.example", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_create_owner_command(app, shop):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-owner", "--name", "Anne", "--email", "anne@example.com",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    from extensions import db
    from models import Employee
    with app.app_context():
        anne = db.session.scalar(select(Employee).where(Employee.email == "anne@example.com"))
        assert anne.permission_set.name == "Propriétaire"
