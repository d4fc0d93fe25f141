"""Ajouter le client (/customers/new): only fields the employee may fill in,
validated, likely duplicates shown before saving, origin "manual"."""
from sqlalchemy import func, select

from tests.support_customers import audit_actions, get_customer, set_fields


def customer_count(app):
    from extensions import db
    from models import Customer
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Customer))


def test_new_customer_form_for_the_owner_has_every_field(signed_in):
    html = signed_in("owner").get("/customers/new").get_data(as_text=True)
    for name in ("first_name", "last_name", "email", "phone", "address_line1", "postal_code", "city", "country",
                 "birthday", "tax_id", "comments", "email_notifications"):
        assert f'name="{name}"' in html, name


def test_new_customer_form_for_a_cashier_has_no_contact_fields(signed_in):
    html = signed_in("cashier").get("/customers/new").get_data(as_text=True)
    assert 'name="first_name"' in html
    for name in ("email", "phone", "address_line1", "comments", "email_notifications"):
        assert f'name="{name}"' not in html, name


def test_a_new_customer_has_no_consent_unless_ticked(signed_in, app):
    response = signed_in("owner").htmx("post", "/customers/new", data={"first_name": "Jo", "email": "jo@example.com"})
    customer_id = int(response.headers["HX-Redirect"].rsplit("/", 1)[1])
    assert get_customer(app, customer_id)["consents"] == {}  # unknown for every purpose: never pre-ticked


def test_a_cashier_cannot_forge_the_email_notifications_consent(signed_in, app):
    response = signed_in("cashier").htmx("post", "/customers/new", data={"first_name": "Jo",
                                                                         "email_notifications": "y"})
    assert response.status_code == 403 and customer_count(app) == 0


def test_add_a_customer_and_go_to_the_profile(signed_in, app):
    client = signed_in("owner")
    response = client.htmx("post", "/customers/new", data={
        "first_name": "Élodie", "last_name": "Dupont", "email": "elodie@example.com", "phone": "06 12 34 56 78",
        "address_line1": "1 rue X", "postal_code": "75001", "city": "Paris", "country": "FR",
        "birthday": "1990-01-02", "tax_id": "", "comments": "VIP", "email_notifications": "y"})
    assert response.status_code == 204
    location = response.headers["HX-Redirect"]
    customer_id = int(location.rsplit("/", 1)[1])
    row = get_customer(app, customer_id)
    assert (row["first_name"], row["email"], row["phones"], row["origin"], row["city"], row["consents"],
            row["comments"]) == ("Élodie", "elodie@example.com", ["+33612345678"], "manual", "Paris",
                                 {"e_receipts": "yes"}, "VIP")
    assert ("customer_created", customer_id) in [(a, t) for a, t, _, _ in audit_actions(app)]
    assert "Client ajouté." in client.get(location).get_data(as_text=True)


def test_add_without_htmx_redirects(signed_in, app):
    response = signed_in("owner").post("/customers/new", data={"first_name": "Jo"})
    assert response.status_code == 302 and "/customers/" in response.headers["Location"]


def test_add_refuses_bad_input_beside_the_fields(signed_in, app):
    response = signed_in("owner").htmx("post", "/customers/new", data={
        "first_name": "Jo", "email": "jo@", "phone": "123", "birthday": "demain"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette adresse courriel n’est pas valide." in html
    assert "Ce numéro de téléphone n’est pas valide." in html
    assert "Cette date n’est pas valide." in html
    assert 'value="jo@"' in html
    assert customer_count(app) == 0


def test_add_needs_at_least_a_name_an_email_or_a_phone(signed_in, app):
    response = signed_in("owner").htmx("post", "/customers/new", data={"first_name": " ", "tax_id": "X"})
    assert response.status_code == 422
    assert "Saisissez au moins un prénom" in response.get_data(as_text=True)
    assert customer_count(app) == 0


def test_likely_duplicates_are_shown_before_saving(signed_in, make_customer, app):
    same_email = make_customer(first_name="Ana", last_name="Lopez", email="ANA@example.com")
    same_phone = make_customer(first_name="Bob", last_name="Roy", phones=["+33 6 12 34 56 78"])
    same_name = make_customer(first_name="Élodie", last_name="DUPONT")
    set_fields(app, same_name, archived=True)
    make_customer(first_name="Other", last_name="Person", email="other@example.com")
    client = signed_in("owner")
    data = {"first_name": "elodie", "last_name": "Dupont", "email": "ana@example.com", "phone": "0612345678"}
    response = client.htmx("post", "/customers/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Doublons possibles" in html and "Créer quand même" in html
    for customer_id in (same_email, same_phone, same_name):
        assert f'href="/customers/{customer_id}"' in html
    assert "Ana Lopez" in html and "Bob Roy" in html and "Élodie DUPONT" in html and "Other" not in html
    assert "même adresse courriel" in html and "même téléphone" in html and "même nom" in html
    # Enter in a field presses the form's first submit button: it must re-check, not confirm.
    assert html.index(">Ajouter le client</button>") < html.index("Créer quand même")
    assert customer_count(app) == 4
    response = client.htmx("post", "/customers/new", data={**data, "confirm": "1"})
    assert response.status_code == 204 and customer_count(app) == 5


def test_no_duplicate_warning_for_a_new_person(signed_in, make_customer, app):
    make_customer(first_name="Ana", last_name="Lopez", email="ana@example.com")
    response = signed_in("owner").htmx("post", "/customers/new", data={"first_name": "Ana", "last_name": "Lopes"})
    assert response.status_code == 204 and customer_count(app) == 2
    assert "/customers/" in response.headers["HX-Redirect"]


def test_cashier_adds_a_customer_by_name(signed_in, app):
    response = signed_in("cashier").htmx("post", "/customers/new", data={"first_name": "Nina", "last_name": "K"})
    assert response.status_code == 204
    customer_id = int(response.headers["HX-Redirect"].rstrip("/").rsplit("/", 1)[-1])
    row = get_customer(app, customer_id)
    assert (row["first_name"], row["last_name"], row["email"], row["phones"]) == ("Nina", "K", None, [])


def test_forged_contact_fields_from_a_cashier_are_403(signed_in, app):
    client = signed_in("cashier")
    for field in ("email", "phone", "address_line1", "comments"):
        response = client.htmx("post", "/customers/new", data={"first_name": "Nina", field: "0612345678"})
        assert response.status_code == 403, field
    assert customer_count(app) == 0


def test_add_needs_customers_basic(signed_in):
    client = signed_in(capabilities={"access.register"})
    assert client.get("/customers/new").status_code == 403
    assert client.post("/customers/new", data={"first_name": "X"}).status_code == 403


def test_add_needs_csrf(signed_in, app):
    client = signed_in("owner")
    client.send_csrf = False
    assert client.post("/customers/new", data={"first_name": "X"}).status_code == 400
    assert customer_count(app) == 0
