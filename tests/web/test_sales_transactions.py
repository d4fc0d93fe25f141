"""Transactions: the list with its filters and paging, one sale, refund and void."""
from datetime import datetime, timedelta

from sqlalchemy import select, update

from models import Customer, Invoice, Location, PointsEntry, Sale
from tests.support_sales import get, record


def _backdate(app, sale_id, when):
    from extensions import db
    with app.app_context():
        db.session.execute(update(Sale).where(Sale.id == sale_id).values(created_at=when))
        db.session.commit()


def _rows(html: str) -> int:
    return html.split("<tbody>")[1].split("</tbody>")[0].count("<tr")


# --- the list ---------------------------------------------------------------------

def test_transactions_show_date_location_employee_customer_total_payment(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = make_customer(first_name="Élodie", last_name="Dupont")
    record(app, client.employee_id, shop["location_id"], lines=(("Café", 3, 350),), customer_id=customer_id)
    record(app, client.employee_id, shop["location_id"], payment_method="card", card_brand="visa",
           card_last4="4242", card_holder_name="PAUL LEROY")
    html = client.get("/sales").get_data(as_text=True)
    assert "Boutique Centre" in html and "Manager" in html
    assert f'href="/customers/{customer_id}"' in html and "Élodie Dupont" in html
    assert "10,50" in html
    assert "Visa •••• 4242" in html and "PAUL LEROY" in html
    assert "Profil créé (carte)" in html  # which profile the card sale created


def test_card_holder_name_and_customer_names_need_customers_basic(app, signed_in, shop, make_customer):
    client = signed_in(capabilities={"access.register"})
    customer_id = make_customer(first_name="Élodie", last_name="Dupont")
    record(app, client.employee_id, shop["location_id"], customer_id=customer_id)
    record(app, client.employee_id, shop["location_id"], payment_method="card", card_brand="visa",
           card_last4="4242", card_holder_name="PAUL LEROY")
    html = client.get("/sales").get_data(as_text=True)
    assert "Visa •••• 4242" in html
    assert "PAUL LEROY" not in html and "Paul Leroy" not in html and "Élodie" not in html


def test_transactions_need_register_access(signed_in):
    client = signed_in(capabilities={"access.backoffice", "customers.basic"})
    assert client.get("/sales").status_code == 403


def test_filter_by_location_payment_and_status(app, signed_in, shop):
    from extensions import db
    client = signed_in("owner")
    with app.app_context():
        other = Location(name="Marché Saint-Pierre")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    record(app, client.employee_id, shop["location_id"], lines=(("Pain", 1, 111),))
    record(app, client.employee_id, other_id, lines=(("Fromage", 1, 222),), payment_method="card",
           card_brand="cb", card_last4="1234")
    html = client.get(f"/sales?location={other_id}").get_data(as_text=True)
    assert "2,22" in html and "1,11" not in html
    html = client.get("/sales?payment=cash").get_data(as_text=True)
    assert "1,11" in html and "2,22" not in html
    assert _rows(client.get("/sales?status=refunded").get_data(as_text=True)) == 1  # the "none" row
    assert "Aucune vente ne correspond" in client.get("/sales?status=refunded").get_data(as_text=True)


def test_filter_by_period_uses_the_shops_days(app, signed_in, shop):
    client = signed_in("owner")
    old = record(app, client.employee_id, shop["location_id"], lines=(("Ancien", 1, 101),))
    new = record(app, client.employee_id, shop["location_id"], lines=(("Récent", 1, 202),))
    _backdate(app, old, datetime(2025, 3, 10, 12, 0))
    _backdate(app, new, datetime(2025, 3, 20, 12, 0))
    html = client.get("/sales?from=2025-03-01&to=2025-03-15").get_data(as_text=True)
    assert "1,01" in html and "2,02" not in html
    html = client.get("/sales?from=2025-03-15").get_data(as_text=True)
    assert "2,02" in html and "1,01" not in html


def test_filter_by_customer_and_search_by_name(app, signed_in, shop, make_customer):
    client = signed_in("owner")
    elodie = make_customer(first_name="Élodie", last_name="Dupont")
    paul = make_customer(first_name="Paul", last_name="Roux")
    record(app, client.employee_id, shop["location_id"], lines=(("A", 1, 101),), customer_id=elodie)
    record(app, client.employee_id, shop["location_id"], lines=(("B", 1, 202),), customer_id=paul)
    html = client.get(f"/sales?customer_id={elodie}").get_data(as_text=True)
    assert "1,01" in html and "2,02" not in html and "Élodie Dupont" in html
    html = client.get("/sales?q=elodie").get_data(as_text=True)
    assert "1,01" in html and "2,02" not in html


def test_search_by_last_four_sale_number_and_invoice_number(app, signed_in, shop, make_customer):
    client = signed_in("owner")
    customer_id = make_customer()
    card = record(app, client.employee_id, shop["location_id"], lines=(("A", 1, 101),), payment_method="card",
                  card_brand="amex", card_last4="9876")
    cash = record(app, client.employee_id, shop["location_id"], lines=(("B", 1, 202),))
    invoiced = record(app, client.employee_id, shop["location_id"], lines=(("C", 1, 303),),
                      customer_id=customer_id, payment_method="invoice")
    html = client.get("/sales?q=9876").get_data(as_text=True)
    assert "1,01" in html and "2,02" not in html
    html = client.get(f"/sales?q=%23{cash}").get_data(as_text=True)
    assert "2,02" in html and "1,01" not in html
    from extensions import db
    with app.app_context():
        number = db.session.scalar(select(Invoice.number).where(Invoice.sale_id == invoiced))
    html = client.get(f"/sales?q={number.lower()}").get_data(as_text=True)
    assert "3,03" in html and "1,01" not in html and "2,02" not in html
    assert card


def test_htmx_filtering_returns_only_the_rows(app, signed_in, shop):
    client = signed_in("owner")
    record(app, client.employee_id, shop["location_id"])
    html = client.htmx("get", "/sales?payment=cash").get_data(as_text=True)
    assert "<html" not in html and "<table" in html


def test_paging_is_in_the_url_and_goes_both_ways(app, signed_in, shop):
    from extensions import db
    from models import Sale, SaleItem
    client = signed_in("owner")
    app.config["PAGE_SIZE"] = 5
    try:
        base = datetime(2025, 1, 1, 12, 0)
        with app.app_context():
            for n in range(12):
                db.session.add(Sale(location_id=shop["location_id"], employee_id=client.employee_id,
                                    created_at=base + timedelta(minutes=n), total_cents=100 + n,
                                    items=[SaleItem(name="X", name_key="x", quantity=1, unit_price_cents=100 + n)]))
            db.session.commit()
        first = client.get("/sales").get_data(as_text=True)
        assert "1,11" in first and "1,07" in first and "1,06" not in first  # newest first
        assert "Plus récentes" not in first
        older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        second = client.get(older).get_data(as_text=True)
        assert "1,06" in second and "1,02" in second and "1,11" not in second
        third_url = second.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        third = client.get(third_url).get_data(as_text=True)
        assert "1,01" in third and "1,00" in third and 'rel="next"' not in third
        newer = third.split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        back = client.get(newer).get_data(as_text=True)
        assert "1,06" in back and "1,02" in back and "1,01" not in back and "1,07" not in back
    finally:
        app.config["PAGE_SIZE"] = 50


def test_one_sale_shows_its_items(app, signed_in, shop):
    client = signed_in("cashier")
    sale_id = record(app, client.employee_id, shop["location_id"], lines=(("Tarte aux fraises", 2, 1250),))
    html = client.get(f"/sales/{sale_id}").get_data(as_text=True)
    assert "Tarte aux fraises" in html and "25,00" in html
    assert client.get("/sales/999999").status_code == 404


# --- refund and void -----------------------------------------------------------------

def _member_sale(app, client, shop, make_customer, **fields):
    customer_id = make_customer(loyalty_member=True)
    first = record(app, client.employee_id, shop["location_id"], lines=(("Menu", 1, 2000),), customer_id=customer_id)
    second = record(app, client.employee_id, shop["location_id"], lines=(("Menu", 1, 3000),),
                    customer_id=customer_id, **fields)
    return customer_id, first, second


def test_refund_takes_back_points_and_fixes_the_summary(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id, first, second = _member_sale(app, client, shop, make_customer)
    assert get(app, Customer, customer_id).points_balance == 50
    response = client.post(f"/sales/{second}/cancel", data={"action": "refund"})
    assert response.status_code == 302
    sale = get(app, Sale, second)
    assert sale.status == "refunded" and sale.points_earned_reversed == sale.points_earned == 30
    customer = get(app, Customer, customer_id)
    assert customer.points_balance == 20
    assert customer.visit_count == 1 and customer.total_spent_cents == 2000
    first_sale = get(app, Sale, first)
    assert customer.last_visit_at == first_sale.created_at == customer.first_visit_at
    from extensions import db
    with app.app_context():
        entry = db.session.scalar(select(PointsEntry).where(PointsEntry.kind == "refund"))
        assert (entry.delta, entry.sale_id) == (-30, second)
    assert "Vente remboursée." in client.get(f"/sales/{second}").get_data(as_text=True)


def test_void_of_the_only_sale_empties_the_summary(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = make_customer(loyalty_member=True)
    sale_id = record(app, client.employee_id, shop["location_id"], lines=(("Menu", 1, 2000),),
                     customer_id=customer_id)
    client.post(f"/sales/{sale_id}/cancel", data={"action": "void"})
    assert get(app, Sale, sale_id).status == "voided"
    customer = get(app, Customer, customer_id)
    assert (customer.visit_count, customer.total_spent_cents, customer.points_balance) == (0, 0, 0)
    assert customer.first_visit_at is None and customer.last_visit_at is None


def test_points_already_spent_are_not_taken_below_zero(app, signed_in, shop, make_customer):
    from blueprints.loyalty.points import redeem_points
    from extensions import db
    client = signed_in("manager")
    customer_id = make_customer(loyalty_member=True)
    sale_id = record(app, client.employee_id, shop["location_id"], lines=(("Menu", 1, 2000),),
                     customer_id=customer_id)
    with app.test_request_context():
        redeem_points(customer_id, 15, employee_id=None)
        db.session.commit()
    client.post(f"/sales/{sale_id}/cancel", data={"action": "refund"})
    assert get(app, Customer, customer_id).points_balance == 0
    sale = get(app, Sale, sale_id)
    assert sale.points_unrecovered == 15
    page = client.get(f"/sales/{sale_id}").get_data(as_text=True)
    assert "15 points non repris" in page


def test_a_sale_is_refunded_only_once(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id, _first, second = _member_sale(app, client, shop, make_customer)
    client.post(f"/sales/{second}/cancel", data={"action": "refund"})
    response = client.htmx("post", f"/sales/{second}/cancel", data={"action": "void"})
    assert response.status_code == 409
    assert "déjà remboursée ou annulée" in response.get_data(as_text=True)
    assert get(app, Sale, second).status == "refunded"
    assert get(app, Customer, customer_id).points_balance == 20  # not taken twice


def test_refund_needs_the_refund_permission(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id, _first, second = _member_sale(app, client, shop, make_customer)
    assert client.post(f"/sales/{second}/cancel", data={"action": "refund"}).status_code == 403
    assert get(app, Sale, second).status == "completed"
    assert get(app, Customer, customer_id).points_balance == 50
    assert "Rembourser" not in client.get(f"/sales/{second}").get_data(as_text=True)


def test_voiding_an_invoiced_sale_cancels_its_open_invoice(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id = make_customer()
    sale_id = record(app, client.employee_id, shop["location_id"], customer_id=customer_id,
                     payment_method="invoice")
    client.post(f"/sales/{sale_id}/cancel", data={"action": "void"})
    from extensions import db
    with app.app_context():
        assert db.session.scalar(select(Invoice.status).where(Invoice.sale_id == sale_id)) == "cancelled"


def test_unknown_cancel_action_changes_nothing(app, signed_in, shop):
    client = signed_in("manager")
    sale_id = record(app, client.employee_id, shop["location_id"])
    client.post(f"/sales/{sale_id}/cancel", data={"action": "explode"})
    assert get(app, Sale, sale_id).status == "completed"
