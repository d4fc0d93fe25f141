"""The sale screen: recording a sale with its customer, card details that
create or find profiles, invoices, points, and everything refused."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from models import Customer, Invoice, Location, PointsEntry, Sale
from tests.support_sales import counts, get, record, sale_form


def _sale(app, sale_id):
    from extensions import db
    with app.app_context():
        sale = db.session.get(Sale, sale_id)
        items = [(i.name, i.name_key, i.quantity, i.unit_price_cents) for i in sale.items]
        db.session.expunge_all()
        return sale, items


def _only_sale_id(app):
    from extensions import db
    with app.app_context():
        ids = list(db.session.scalars(select(Sale.id)))
    assert len(ids) == 1
    return ids[0]


# --- the screen ----------------------------------------------------------------

def test_sale_screen_offers_location_items_and_checkout(signed_in, shop):
    client = signed_in("cashier")
    page = client.get("/sales/new").get_data(as_text=True)
    assert "Encaisser" in page
    assert 'name="entry_name"' in page and 'name="entry_price"' in page
    assert f'<option value="{shop["location_id"]}" selected' in page
    assert 'name="customer_q"' in page  # the cashier has Customers – Basic


def test_sale_screen_needs_register_access(signed_in):
    client = signed_in(capabilities={"access.backoffice"})
    assert client.get("/sales/new").status_code == 403
    assert client.post("/sales/new", data={}).status_code == 403


def test_default_location_is_the_employees_first(app, signed_in, shop):
    from extensions import db
    from models import Employee
    with app.app_context():
        other = Location(name="Marché")
        db.session.add(other)
        db.session.flush()
        other_id = other.id
        db.session.commit()
    client = signed_in("cashier")
    with app.app_context():
        employee = db.session.get(Employee, client.employee_id)
        employee.locations.append(db.session.get(Location, other_id))
        db.session.commit()
    page = client.get("/sales/new").get_data(as_text=True)
    assert f'<option value="{other_id}" selected' in page
    assert f'<option value="{shop["location_id"]}"' not in page  # not one of theirs
    # and a forged post to another location is refused
    response = client.post("/sales/new", data=sale_form(shop["location_id"]))
    assert response.status_code == 422
    assert "Choisissez le point de vente." in response.get_data(as_text=True)
    assert counts(app)["sales"] == 0


def test_recent_items_are_offered_as_quick_buttons(app, signed_in, shop):
    client = signed_in("cashier")
    record(app, client.employee_id, shop["location_id"], lines=(("Croissant", 2, 180),))
    page = client.get("/sales/new").get_data(as_text=True)
    assert 'name="quick" value="180:Croissant"' in page


# --- editing the lines (state lives in the form) ---------------------------------

def test_adding_an_item_returns_the_lines_with_their_total(signed_in, shop):
    client = signed_in("cashier")
    data = sale_form(shop["location_id"], lines=(("Café", 2, 350),), entry_name="Thé vert",
                     entry_qty="3", entry_price="4,20", op="add")
    response = client.htmx("post", "/sales/new/update", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="line_name" value="Thé vert"' in html and 'name="line_price" value="420"' in html
    assert 'name="line_qty" value="3"' in html
    assert 'id="sale-total"' in html and 'hx-swap-oob="true"' in html
    assert "19,60" in html  # 2 × 3,50 + 3 × 4,20
    assert 'name="entry_name" value=""' in html  # the entry is cleared for the next item


def test_same_item_at_same_price_adds_to_its_line(signed_in, shop):
    client = signed_in("cashier")
    data = sale_form(shop["location_id"], lines=(("Café", 2, 350),), quick="350:café")
    html = client.htmx("post", "/sales/new/update", data=data).get_data(as_text=True)
    assert html.count('name="line_name"') == 1 and 'name="line_qty" value="3"' in html


def test_plus_minus_and_remove_change_a_line(signed_in, shop):
    client = signed_in("cashier")
    lines = (("Café", 2, 350), ("Thé", 1, 400))

    def after(op):
        html = client.htmx("post", "/sales/new/update",
                           data=sale_form(shop["location_id"], lines=lines, op=op)).get_data(as_text=True)
        return list(zip(re.findall(r'name="line_name" value="([^"]*)"', html),
                        re.findall(r'name="line_qty" value="(\d+)"', html)))

    assert after("inc:1") == [("Café", "2"), ("Thé", "2")]
    assert after("dec:0") == [("Café", "1"), ("Thé", "1")]
    assert after("remove:0") == [("Thé", "1")]


def test_a_bad_price_is_refused_beside_the_field_with_422(signed_in, shop):
    client = signed_in("cashier")
    data = sale_form(shop["location_id"], entry_name="Café", entry_price="trois", op="add")
    response = client.htmx("post", "/sales/new/update", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-entry_price"' in html and "Saisissez un prix" in html
    assert 'name="line_name" value="Café"' in html  # the sale so far is kept


def test_without_javascript_the_update_returns_the_whole_screen(signed_in, shop):
    client = signed_in("cashier")
    data = sale_form(shop["location_id"], lines=(), entry_name="Café", entry_price="3,5", op="add")
    html = client.post("/sales/new/update", data=data).get_data(as_text=True)
    assert "<html" in html and 'name="line_name" value="Café"' in html and "Encaisser" in html


# --- recording --------------------------------------------------------------------

def test_cash_sale_is_recorded_with_its_items_and_redirects_to_its_receipt(app, signed_in, shop):
    client = signed_in("cashier")
    data = sale_form(shop["location_id"], lines=(("Crème brûlée", 2, 450), ("Café", 1, 350)))
    response = client.post("/sales/new", data=data)
    assert response.status_code == 302
    sale_id = _only_sale_id(app)
    assert response.headers["Location"].endswith(f"/sales/{sale_id}")
    sale, items = _sale(app, sale_id)
    assert sale.total_cents == 1250 and sale.status == "completed" and sale.payment_method == "cash"
    assert sale.customer_id is None and sale.customer_link is None  # stays anonymous
    assert sale.employee_id == client.employee_id and sale.location_id == shop["location_id"]
    assert ("Crème brûlée", "creme brulee", 2, 450) in items
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vente enregistrée" in receipt and "Crème brûlée" in receipt


def test_htmx_checkout_answers_with_a_redirect_so_a_reload_cannot_charge_twice(app, signed_in, shop):
    client = signed_in("cashier")
    response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"]))
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/sales/")
    client.get(response.headers["HX-Redirect"])  # what a reload repeats: a GET
    client.get(response.headers["HX-Redirect"])
    assert counts(app)["sales"] == 1


def test_sale_updates_the_customers_summary(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    client.post("/sales/new", data=sale_form(shop["location_id"], customer_id=customer_id))
    client.post("/sales/new", data=sale_form(shop["location_id"], lines=(("Thé", 1, 400),),
                                             customer_id=customer_id))
    customer = get(app, Customer, customer_id)
    assert customer.visit_count == 2 and customer.total_spent_cents == 700 + 400
    assert customer.first_visit_at <= customer.last_visit_at
    assert customer.last_visit_at >= datetime(2020, 1, 1)
    with app.app_context():
        from extensions import db
        links = set(db.session.scalars(select(Sale.customer_link)))
    assert links == {"chosen"}


def test_a_loyalty_member_earns_points_on_the_sale(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(loyalty_member=True)
    client.post("/sales/new", data=sale_form(shop["location_id"], lines=(("Menu", 1, 2590),),
                                             customer_id=customer_id))
    customer = get(app, Customer, customer_id)
    assert customer.points_balance == 25  # 1 point per whole euro
    sale = get(app, Sale, _only_sale_id(app))
    assert sale.points_earned == 25
    with app.app_context():
        from extensions import db
        entry = db.session.scalar(select(PointsEntry))
        assert (entry.kind, entry.delta, entry.sale_id) == ("earn", 25, sale.id)


def test_a_customer_outside_the_programme_earns_nothing(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    client.post("/sales/new", data=sale_form(shop["location_id"], customer_id=customer_id))
    assert get(app, Customer, customer_id).points_balance == 0
    assert counts(app)["points"] == 0


# --- archived customers -------------------------------------------------------------

def test_forged_post_with_an_archived_customer_is_refused_and_nothing_is_written(app, signed_in, shop,
                                                                                   make_customer):
    client = signed_in("cashier")
    archived_id = make_customer(first_name="Ancien", archived=True, loyalty_member=True)
    before = counts(app)
    response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"], customer_id=archived_id))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ce client est archivé : il ne peut pas être ajouté à une vente." in html
    assert 'id="error-customer_id"' in html
    assert counts(app) == before
    customer = get(app, Customer, archived_id)
    assert customer.visit_count == 0 and customer.points_balance == 0


def test_search_on_the_sale_screen_never_offers_an_archived_customer(signed_in, make_customer):
    client = signed_in("cashier")
    active_id = make_customer(first_name="Élodie", last_name="Martin")
    archived_id = make_customer(first_name="Éloïse", last_name="Martin", archived=True)
    html = client.htmx("get", "/sales/counter/customers?customer_q=martin").get_data(as_text=True)
    assert f'value="{active_id}"' in html
    assert f'value="{archived_id}"' not in html and "Éloïse" not in html


def test_choosing_an_archived_customer_is_refused_in_the_panel(signed_in, make_customer):
    client = signed_in("cashier")
    archived_id = make_customer(archived=True)
    response = client.htmx("get", f"/sales/counter/customer?customer_id={archived_id}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "ne peut pas être ajouté à une vente" in html and 'name="customer_id"' not in html


def test_search_follows_the_fields_the_employee_may_view(signed_in, make_customer):
    client = signed_in("cashier")  # Employé: no contact details
    make_customer(first_name="Zoé", email="zoe@example.com", phones=["06 12 34 56 78"])
    assert "Zoé" in client.htmx("get", "/sales/counter/customers?customer_q=zoe").get_data(as_text=True)
    assert "Zoé" not in client.htmx("get", "/sales/counter/customers?customer_q=zoe@example").get_data(as_text=True)
    assert "Zoé" not in client.htmx("get", "/sales/counter/customers?customer_q=06123456").get_data(as_text=True)


def test_customer_search_needs_customers_basic(signed_in, make_customer):
    client = signed_in(capabilities={"access.register"})
    make_customer()
    assert client.htmx("get", "/sales/counter/customers?customer_q=martin").status_code == 403
    page = client.get("/sales/new").get_data(as_text=True)
    assert 'name="customer_q"' not in page


def test_forged_customer_without_customers_basic_is_forbidden(app, signed_in, shop, make_customer):
    client = signed_in(capabilities={"access.register"})
    customer_id = make_customer()
    response = client.post("/sales/new", data=sale_form(shop["location_id"], customer_id=customer_id))
    assert response.status_code == 403
    assert counts(app)["sales"] == 0


def test_side_panel_shows_name_groups_points_and_open_invoices(app, signed_in, shop, make_customer):
    from extensions import db
    from models import Group
    client = signed_in("manager")
    customer_id = make_customer(first_name="Élodie", last_name="Dupont", loyalty_member=True, points_balance=120)
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        customer.groups.append(Group(name="Habitués"))
        db.session.commit()
    record(app, client.employee_id, shop["location_id"], lines=(("Traiteur", 1, 4200),),
           customer_id=customer_id, payment_method="invoice")
    html = client.htmx("get", f"/sales/counter/customer?customer_id={customer_id}").get_data(as_text=True)
    assert f'name="customer_id" value="{customer_id}"' in html
    assert "Élodie Dupont" in html and "Habitués" in html
    assert "162 points" in html  # 120 + 42 earned
    assert "F-" in html and "42,00" in html and "1 facture ouverte" in html


def test_side_panel_hides_invoices_without_history_permission(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    record(app, client.employee_id, shop["location_id"], customer_id=customer_id, payment_method="invoice")
    html = client.htmx("get", f"/sales/counter/customer?customer_id={customer_id}").get_data(as_text=True)
    assert "Factures ouvertes" not in html and "F-" not in html


# --- adding a customer on the spot, fixing a name -----------------------------------

def test_adding_a_customer_on_the_spot_attaches_them(app, signed_in, make_customer):
    client = signed_in("manager")
    response = client.htmx("post", "/sales/counter/customers/new",
                           data={"new-first_name": "Inès", "new-last_name": "Bôné",
                                 "new-email": "ines@example.com", "new-phone": "06 11 22 33 44"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    from extensions import db
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.first_name == "Inès"))
        assert customer.origin == "sale" and customer.email == "ines@example.com"
        assert customer.phones[0].e164 == "+33611223344" and customer.name_search == "ines bone inesbone"
        assert f'name="customer_id" value="{customer.id}"' in html


def test_the_short_form_ignores_contact_details_the_employee_may_not_edit(app, signed_in):
    client = signed_in("cashier")
    form = client.htmx("get", "/sales/counter/customers/new").get_data(as_text=True)
    assert "new-email" not in form and "new-phone" not in form
    client.htmx("post", "/sales/counter/customers/new",
                data={"new-first_name": "Paul", "new-last_name": "Roux", "new-email": "paul@example.com"})
    from extensions import db
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.first_name == "Paul"))
        assert customer is not None and customer.email is None


def test_the_short_form_needs_a_name_and_says_so_beside_the_field(app, signed_in):
    client = signed_in("manager")
    response = client.htmx("post", "/sales/counter/customers/new",
                           data={"new-first_name": " ", "new-last_name": "", "new-email": "pas-un-courriel"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saisissez un prénom ou un nom." in html and "adresse courriel n’est pas valide" in html
    assert counts(app)["customers"] == 0


def test_fixing_a_name_inline_saves_it_and_its_search_keys(app, signed_in, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(first_name="Elodi", last_name="Dupont")
    form = client.htmx("get", f"/sales/counter/customers/{customer_id}/name/edit").get_data(as_text=True)
    assert 'value="Elodi"' in form
    response = client.htmx("post", f"/sales/counter/customers/{customer_id}/name",
                           data={"name-first_name": "Élodie", "name-last_name": "Dupont"})
    assert response.status_code == 200 and "Élodie Dupont" in response.get_data(as_text=True)
    customer = get(app, Customer, customer_id)
    assert customer.first_name == "Élodie" and customer.name_search == "elodie dupont elodiedupont"


def test_fixing_a_name_cannot_empty_it(app, signed_in, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(first_name="Léa", last_name="Roy")
    response = client.htmx("post", f"/sales/counter/customers/{customer_id}/name",
                           data={"name-first_name": "", "name-last_name": "  "})
    assert response.status_code == 422 and "Saisissez un prénom ou un nom." in response.get_data(as_text=True)
    assert get(app, Customer, customer_id).first_name == "Léa"


def test_fixing_a_name_needs_customers_basic(signed_in, make_customer):
    client = signed_in(capabilities={"access.register"})
    customer_id = make_customer()
    response = client.htmx("post", f"/sales/counter/customers/{customer_id}/name",
                           data={"name-first_name": "X", "name-last_name": "Y"})
    assert response.status_code == 403


# --- card details create or find profiles (seed 004) ---------------------------------

def _card(location_id, holder="JEANNE DUPONT", brand="visa", last4="4242", **fields):
    return sale_form(location_id, payment_method="card", card_brand=brand, card_last4=last4,
                     card_holder_name=holder, **fields)


def test_card_sale_without_customer_creates_a_profile_from_the_card(app, signed_in, shop):
    client = signed_in("cashier")
    client.post("/sales/new", data=_card(shop["location_id"]))
    sale = get(app, Sale, _only_sale_id(app))
    assert sale.customer_link == "card_created"
    assert (sale.card_brand, sale.card_last4, sale.card_holder_name) == ("visa", "4242", "JEANNE DUPONT")
    customer = get(app, Customer, sale.customer_id)
    assert (customer.first_name, customer.last_name, customer.origin) == ("Jeanne", "Dupont", "card")
    assert customer.card_match_key == "jeanne dupont|visa|4242"
    assert customer.visit_count == 1 and customer.total_spent_cents == 700


def test_the_same_card_again_finds_that_profile(app, signed_in, shop):
    client = signed_in("cashier")
    client.post("/sales/new", data=_card(shop["location_id"]))
    client.post("/sales/new", data=_card(shop["location_id"], holder="Jeanne  Dupont"))
    assert counts(app)["customers"] == 1
    from extensions import db
    with app.app_context():
        sales = list(db.session.scalars(select(Sale).order_by(Sale.id)))
        assert [s.customer_link for s in sales] == ["card_created", "card_matched"]
        assert sales[0].customer_id == sales[1].customer_id
        assert sales[0].customer.visit_count == 2


def test_another_card_of_the_same_name_is_another_profile(app, signed_in, shop):
    client = signed_in("cashier")
    client.post("/sales/new", data=_card(shop["location_id"], last4="4242"))
    client.post("/sales/new", data=_card(shop["location_id"], last4="1111"))
    client.post("/sales/new", data=_card(shop["location_id"], brand="mastercard", last4="4242"))
    assert counts(app)["customers"] == 3


def test_card_sale_with_a_chosen_customer_creates_no_profile(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    client.post("/sales/new", data=_card(shop["location_id"], customer_id=customer_id))
    sale = get(app, Sale, _only_sale_id(app))
    assert sale.customer_id == customer_id and sale.customer_link == "chosen"
    assert counts(app)["customers"] == 1


def test_cash_sale_without_customer_creates_no_profile(app, signed_in, shop):
    client = signed_in("cashier")
    client.post("/sales/new", data=sale_form(shop["location_id"], card_holder_name="JEANNE DUPONT",
                                             card_brand="visa", card_last4="4242"))
    assert counts(app)["customers"] == 0
    sale = get(app, Sale, _only_sale_id(app))
    assert sale.card_holder_name is None and sale.card_last4 is None


def test_a_card_matching_an_archived_profile_does_not_attach_it(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    archived_id = make_customer(first_name="Jeanne", last_name="Dupont", archived=True,
                                card_match_key="jeanne dupont|visa|4242")
    client.post("/sales/new", data=_card(shop["location_id"]))
    sale = get(app, Sale, _only_sale_id(app))
    assert sale.customer_id is None
    assert get(app, Customer, archived_id).visit_count == 0
    assert counts(app)["customers"] == 1


def test_a_card_of_a_merged_profile_leads_to_the_primary(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    primary_id = make_customer(first_name="Jeanne", last_name="Dupont-Roy")
    make_customer(first_name="Jeanne", last_name="Dupont", archived=True, merged_into_id=primary_id,
                  card_match_key="jeanne dupont|visa|4242")
    client.post("/sales/new", data=_card(shop["location_id"]))
    sale = get(app, Sale, _only_sale_id(app))
    assert sale.customer_id == primary_id and sale.customer_link == "card_matched"


@pytest.mark.parametrize("last4", ["424", "42424", "42a2", ""])
def test_last_four_digits_must_be_four_digits(app, signed_in, shop, last4):
    client = signed_in("cashier")
    response = client.htmx("post", "/sales/new", data=_card(shop["location_id"], last4=last4))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-card_last4"' in html and "4 chiffres" in html
    assert counts(app) == {"sales": 0, "items": 0, "invoices": 0, "customers": 0, "points": 0}


def test_card_brand_is_required_for_a_card(app, signed_in, shop):
    client = signed_in("cashier")
    response = client.htmx("post", "/sales/new", data=_card(shop["location_id"], brand=""))
    assert response.status_code == 422 and 'id="error-card_brand"' in response.get_data(as_text=True)


# --- validation: messages beside fields, nothing half-written ----------------------

def test_a_sale_needs_at_least_one_item(app, signed_in, shop):
    client = signed_in("cashier")
    response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"], lines=()))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Ajoutez au moins un article." in html
    assert '<form id="sale-form"' in html and "<html" not in html  # the same fragment
    assert counts(app)["sales"] == 0


def test_an_item_typed_but_not_added_is_not_charged_silently(app, signed_in, shop):
    client = signed_in("cashier")
    response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"], entry_name="Gâteau",
                                                              entry_price="12"))
    assert response.status_code == 422
    assert "Ajoutez cet article ou videz le champ" in response.get_data(as_text=True)
    assert counts(app)["sales"] == 0


def test_tampered_lines_are_refused(app, signed_in, shop):
    client = signed_in("cashier")
    for lines in ((("Café", 1, -350),), (("Café", 0, 350),), (("", 1, 350),)):
        response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"], lines=lines))
        assert response.status_code == 422
    data = sale_form(shop["location_id"])
    data["line_qty"] = []
    assert client.htmx("post", "/sales/new", data=data).status_code == 422
    assert counts(app)["sales"] == 0


def test_a_failure_after_writing_began_rolls_everything_back(app, signed_in, shop, make_customer, monkeypatch):
    """Points fail after the sale and summary were written: nothing of it stays."""
    from blueprints.sales import recording
    from blueprints.sales.errors import SaleError

    def boom(sale, employee_id):
        raise SaleError("boom")

    monkeypatch.setattr(recording, "earn_for_sale", boom)
    client = signed_in("cashier")
    customer_id = make_customer(loyalty_member=True)
    response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"], customer_id=customer_id))
    assert response.status_code == 422
    assert counts(app)["sales"] == 0 and counts(app)["items"] == 0
    assert get(app, Customer, customer_id).visit_count == 0


def test_csrf_is_required_to_record_a_sale(app, signed_in, shop):
    client = signed_in("cashier")
    client.send_csrf = False
    assert client.post("/sales/new", data=sale_form(shop["location_id"])).status_code == 400
    assert counts(app)["sales"] == 0


# --- invoices from the counter --------------------------------------------------------

def test_invoicing_a_sale_creates_a_numbered_open_invoice(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    client.post("/sales/new", data=sale_form(shop["location_id"], payment_method="invoice",
                                             customer_id=customer_id))
    from extensions import db
    with app.app_context():
        invoice = db.session.scalar(select(Invoice))
        assert invoice.status == "open" and invoice.customer_id == customer_id
        assert invoice.amount_cents == 700 and invoice.paid_at is None
        assert invoice.number == f"F-{invoice.issued_at.year}-{invoice.id:06d}"


def test_invoice_numbers_follow_each_other(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    for _ in range(3):
        client.post("/sales/new", data=sale_form(shop["location_id"], payment_method="invoice",
                                                 customer_id=customer_id))
    from extensions import db
    with app.app_context():
        numbers = list(db.session.scalars(select(Invoice.number).order_by(Invoice.id)))
    assert len(set(numbers)) == 3 and numbers == sorted(numbers)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_an_invoice_needs_a_customer(app, signed_in, shop):
    client = signed_in("cashier")
    response = client.htmx("post", "/sales/new", data=sale_form(shop["location_id"], payment_method="invoice"))
    assert response.status_code == 422
    assert "ajoutez le client à la vente" in response.get_data(as_text=True)
    assert counts(app)["sales"] == 0 and counts(app)["invoices"] == 0


def test_the_sale_screen_reads_in_english(signed_in):
    client = signed_in("cashier", language="en")
    page = client.get("/sales/new").get_data(as_text=True)
    assert "Charge" in page and "Add item" in page and "Encaisser" not in page


def test_without_javascript_a_customer_can_be_found_and_chosen(signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(first_name="Aïcha", last_name="Benali")
    data = sale_form(shop["location_id"], customer_q="aicha", op="find")
    html = client.post("/sales/new/update", data=data).get_data(as_text=True)
    assert "<html" in html and f'name="customer_id" value="{customer_id}"' in html and "Aïcha Benali" in html
    data = sale_form(shop["location_id"], customer_id=customer_id)
    html = client.post("/sales/new/update", data=data).get_data(as_text=True)
    assert 'class="customer-panel"' in html and f'type="hidden" name="customer_id" value="{customer_id}"' in html
