"""Request tests: the members list, Ajouter le client and the inline name editor."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from models import AuditEvent, Customer
from tests.support_loyalty import member, read


def _page(client, url="/loyalty", **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- the list ------------------------------------------------------------------------------

def test_list_shows_every_member_even_with_zero_points(app, signed_in, make_customer):
    client = signed_in("cashier")
    member(app, make_customer, first_name="Zoé", last_name="Zéro")
    member(app, make_customer, first_name="Rita", last_name="Riche", points=120)
    make_customer(first_name="Paul", last_name="Horsprogramme")
    html = _page(client)
    assert "Zoé" in html and "Rita" in html and "Horsprogramme" not in html
    assert "2 membres" in html


def test_list_sorts_by_points_and_keeps_sort_and_page_in_the_url(app, signed_in, make_customer):
    client = signed_in("manager")
    for i in range(5):
        member(app, make_customer, first_name=f"Membre{i}", points=i * 10)
    app.config["PAGE_SIZE"] = 2
    try:
        html = _page(client, "/loyalty?sort=points&page=2")
        names = re.findall(r">Membre(\d)</span>", html)
        assert names == ["2", "3"]
        assert 'href="/loyalty?sort=points&amp;page=3"' in html
        assert 'href="/loyalty?sort=points"' in html  # previous page is page 1
        most_first = re.findall(r">Membre(\d)</span>", _page(client, "/loyalty"))
        assert most_first == ["4", "3"]
    finally:
        app.config["PAGE_SIZE"] = 50


def test_list_filters_by_group(app, signed_in, make_customer):
    client = signed_in("manager")
    vip = member(app, make_customer, first_name="Vanessa")
    member(app, make_customer, first_name="Octave")
    response = client.post(f"/loyalty/members/{vip}/groups", data={"name": "VIP"})
    assert response.status_code == 302
    group_id = read(app, vip).groups[0].id
    html = _page(client, f"/loyalty?group={group_id}")
    assert "Vanessa" in html and "Octave" not in html


def test_search_finds_by_phone_only_for_who_may_view_phones(app, signed_in, make_customer, make_employee):
    member(app, make_customer, first_name="Élodie", phones=["06 12 34 56 78"], email="elodie@example.fr")
    client = signed_in("manager")
    assert "Élodie" in _page(client, "/loyalty?q=0612345678")
    assert "Élodie" in _page(client, "/loyalty?q=elo")


def test_cashier_search_by_part_of_a_phone_finds_nothing_and_sees_no_contact_columns(app, signed_in, make_customer):
    member(app, make_customer, first_name="Élodie", phones=["06 12 34 56 78"], email="elodie@example.fr")
    client = signed_in("cashier")
    html = _page(client, "/loyalty?q=06123456")
    assert "Élodie" not in html
    html = _page(client, "/loyalty")
    assert "Élodie" in html and "elodie@example.fr" not in html and "06 12 34 56 78" not in html
    assert "Courriel" not in html


def test_htmx_search_returns_the_results_only(app, signed_in, make_customer):
    member(app, make_customer, first_name="Élodie")
    client = signed_in("cashier")
    response = client.htmx("get", "/loyalty?q=elodie")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Élodie" in html and "<html" not in html


def test_list_needs_customers_basic(app, signed_in):
    client = signed_in(capabilities={"access.register"})
    assert client.get("/loyalty").status_code == 403


# --- Ajouter le client --------------------------------------------------------------------------

def _enrol(client, **fields):
    data = {"email": "elodie@example.fr", "phone": "06 12 34 56 78", "first_name": "Élodie",
            "last_name": "Dupont", **fields}
    return client.post("/loyalty/members/new", data=data)


def test_add_customer_creates_a_member_and_opens_their_account(app, signed_in):
    client = signed_in("cashier")
    response = _enrol(client)
    assert response.status_code == 302
    with app.app_context():
        from extensions import db
        customer = db.session.scalar(select(Customer))
        assert customer.loyalty_member and customer.email == "elodie@example.fr"
        assert customer.phones[0].e164 == "+33612345678"
        assert response.headers["Location"].endswith(f"/loyalty/members/{customer.id}")
    html = _page(client, response.headers["Location"])
    assert "Inscription au programme de fidélité : " in html  # no gendered participle


def test_add_customer_with_a_directory_email_enrols_that_customer_and_says_so(app, signed_in, make_customer):
    existing = make_customer(first_name="Élodie", last_name="Dupont", email="Elodie@example.fr")
    client = signed_in("cashier")
    response = _enrol(client, phone="")
    assert response.headers["Location"].endswith(f"/loyalty/members/{existing}")
    html = _page(client, response.headers["Location"])
    assert "Fiche trouvée dans le répertoire de clients" in html
    with app.app_context():
        from extensions import db
        assert db.session.scalar(select(db.func.count()).select_from(Customer)) == 1


def test_add_customer_refuses_two_matching_customers_naming_them(app, signed_in, make_customer):
    make_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    make_customer(first_name="Paul", last_name="Durand", phones=["0612345678"])
    client = signed_in("cashier")
    response = _enrol(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Élodie Dupont" in html and "Paul Durand" in html and "deux clients différents" in html


@pytest.mark.parametrize("fields, message", [
    ({"email": ""}, "Saisissez l’adresse courriel du client."),
    ({"email": "pas-une-adresse"}, "Cette adresse courriel n’est pas valide."),
    ({"phone": "123"}, "Ce numéro de téléphone n’est pas valide."),
    ({"first_name": ""}, "Saisissez le prénom."),
    ({"last_name": ""}, "Saisissez le nom."),
])
def test_add_customer_shows_each_error_beside_its_field(app, signed_in, fields, message):
    client = signed_in("cashier")
    response = _enrol(client, **fields)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert message in html and 'class="error"' in html
    with app.app_context():
        from extensions import db
        assert db.session.scalar(select(Customer)) is None


def test_add_customer_shows_every_field_error_at_once(app, signed_in):
    response = _enrol(signed_in("cashier"), email="pas-une-adresse", phone="12", first_name="")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    for message in ("Cette adresse courriel n’est pas valide.", "Ce numéro de téléphone n’est pas valide.",
                    "Saisissez le prénom."):
        assert message in html


def test_add_customer_without_csrf_is_refused(app, signed_in):
    client = signed_in("owner")
    client.send_csrf = False
    assert _enrol(client).status_code == 400


# --- inline name editing --------------------------------------------------------------------------

def test_name_cell_is_focusable_and_opens_on_double_click_or_enter(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie")
    html = _page(signed_in("cashier"))
    cell = re.search(r'<span class="inline-name"[^>]*>', html).group(0)
    assert 'tabindex="0"' in cell and 'hx-trigger="dblclick, edit"' in cell
    assert f'hx-get="/loyalty/members/{member_id}/name/first/edit"' in cell
    assert 'hx-target="closest td"' in cell
    assert "loyalty.js" in html and "onclick" not in html


def test_edit_gives_the_form_fragment_with_the_current_value(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie")
    client = signed_in("cashier")
    response = client.htmx("get", f"/loyalty/members/{member_id}/name/first/edit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'name="value" value="Élodie"' in html and "data-focus" in html
    assert f'data-cancel-url="/loyalty/members/{member_id}/name/first"' in html


def test_saving_a_name_returns_the_display_fragment_and_stores_it(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Elodie", last_name="Dupont")
    client = signed_in("cashier")
    response = client.htmx("post", f"/loyalty/members/{member_id}/name/first", data={"value": " Éloïse "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="inline-name"' in html and "Éloïse" in html and "<form" not in html
    customer = read(app, member_id)
    assert customer.first_name == "Éloïse" and customer.name_search == "eloise dupont eloisedupont"
    with app.app_context():
        from extensions import db
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_updated"))
        assert event.details["fields"] == ["first_name"]


def test_an_empty_name_is_refused_in_place_with_422(app, signed_in, make_customer):
    member_id = member(app, make_customer, last_name="Dupont")
    client = signed_in("cashier")
    response = client.htmx("post", f"/loyalty/members/{member_id}/name/last", data={"value": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saisissez le nom." in html and 'aria-invalid="true"' in html and "<form" in html
    assert read(app, member_id).last_name == "Dupont"


def test_cancel_returns_the_unchanged_display(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie")
    client = signed_in("cashier")
    html = client.htmx("get", f"/loyalty/members/{member_id}/name/first").get_data(as_text=True)
    assert "Élodie" in html and "<form" not in html


def test_editing_a_name_of_a_non_member_is_not_found(app, signed_in, make_customer):
    customer_id = make_customer(first_name="Paul")
    client = signed_in("cashier")
    assert client.htmx("post", f"/loyalty/members/{customer_id}/name/first", data={"value": "X"}).status_code == 404
    assert client.htmx("get", f"/loyalty/members/{customer_id}/name/middle/edit").status_code == 404


def test_editing_a_name_needs_customers_basic(app, signed_in, make_customer):
    member_id = member(app, make_customer)
    client = signed_in(capabilities={"access.register"})
    assert client.htmx("post", f"/loyalty/members/{member_id}/name/first", data={"value": "X"}).status_code == 403


def test_edit_without_htmx_is_a_full_page_that_saves_and_returns(app, signed_in, make_customer):
    member_id = member(app, make_customer, first_name="Élodie")
    client = signed_in("cashier")
    html = _page(client, f"/loyalty/members/{member_id}/name/first/edit")
    assert "<html" in html and "hx-post" not in html.split('class="inline-name-form"')[1].split(">")[0]
    response = client.post(f"/loyalty/members/{member_id}/name/first", data={"value": "Éloïse"})
    assert response.status_code == 302
    assert read(app, member_id).first_name == "Éloïse"
