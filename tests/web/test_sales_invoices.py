"""Invoices (seed 002): the list, Régler, and the profile's transactions and invoices."""
from sqlalchemy import select

from models import Invoice
from tests.support_sales import get, record


def _invoice(app, employee_id, shop, make_customer, **customer_fields):
    customer_id = make_customer(**customer_fields)
    sale_id = record(app, employee_id, shop["location_id"], lines=(("Traiteur", 1, 8450),),
                     customer_id=customer_id, payment_method="invoice")
    from extensions import db
    with app.app_context():
        invoice_id = db.session.scalar(select(Invoice.id).where(Invoice.sale_id == sale_id))
    return customer_id, sale_id, invoice_id


def test_invoice_list_shows_open_and_paid_numbered(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    _c, _s, open_id = _invoice(app, client.employee_id, shop, make_customer, first_name="Anne")
    _c, _s, paid_id = _invoice(app, client.employee_id, shop, make_customer, first_name="Bruno")
    client.post(f"/sales/invoices/{paid_id}/settle")
    html = client.get("/sales/invoices").get_data(as_text=True)
    open_number, paid_number = get(app, Invoice, open_id).number, get(app, Invoice, paid_id).number
    assert open_number in html and paid_number in html
    assert "Ouverte" in html and "Payée" in html and "84,50" in html
    html = client.get("/sales/invoices?status=open").get_data(as_text=True)
    assert open_number in html and paid_number not in html
    html = client.get("/sales/invoices?status=paid").get_data(as_text=True)
    assert paid_number in html and open_number not in html


def test_settling_marks_an_open_invoice_paid_with_date_and_employee(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    _c, _s, invoice_id = _invoice(app, client.employee_id, shop, make_customer)
    response = client.htmx("post", f"/sales/invoices/{invoice_id}/settle")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="invoice-{invoice_id}"' in html and "Payée" in html and "Régler" not in html
    invoice = get(app, Invoice, invoice_id)
    assert invoice.status == "paid" and invoice.paid_by_id == client.employee_id and invoice.paid_at is not None


def test_settling_needs_the_invoices_permission(app, signed_in, shop, make_customer):
    client = signed_in(capabilities={"access.register", "customers.history.view"})
    _c, _s, invoice_id = _invoice(app, client.employee_id, shop, make_customer)
    assert client.post(f"/sales/invoices/{invoice_id}/settle").status_code == 403
    assert get(app, Invoice, invoice_id).status == "open"
    assert "Régler" not in client.get("/sales/invoices").get_data(as_text=True)


def test_an_invoice_already_paid_is_refused_with_a_message(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    _c, _s, invoice_id = _invoice(app, client.employee_id, shop, make_customer)
    client.post(f"/sales/invoices/{invoice_id}/settle")
    paid_at = get(app, Invoice, invoice_id).paid_at
    response = client.htmx("post", f"/sales/invoices/{invoice_id}/settle")
    assert response.status_code == 409 and "Cette facture est déjà réglée." in response.get_data(as_text=True)
    response = client.post(f"/sales/invoices/{invoice_id}/settle", headers={"Referer": "/sales/invoices"})
    assert response.status_code == 302
    assert "Cette facture est déjà réglée." in client.get("/sales/invoices").get_data(as_text=True)
    assert get(app, Invoice, invoice_id).paid_at == paid_at


def test_a_cancelled_invoice_cannot_be_settled(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    _c, sale_id, invoice_id = _invoice(app, client.employee_id, shop, make_customer)
    client.post(f"/sales/{sale_id}/cancel", data={"action": "void"})
    response = client.htmx("post", f"/sales/invoices/{invoice_id}/settle")
    assert response.status_code == 409 and "annulée" in response.get_data(as_text=True)
    assert get(app, Invoice, invoice_id).status == "cancelled"


def test_settling_a_missing_invoice_is_404(signed_in):
    client = signed_in("manager")
    assert client.post("/sales/invoices/4242/settle").status_code == 404


def test_invoice_list_is_a_profile_resource(signed_in):
    client = signed_in("cashier")  # Customers – Basic, no history, no settling
    assert client.get("/sales/invoices").status_code == 403


def test_invoice_list_is_open_to_who_settles_invoices(app, signed_in, shop, make_customer, make_employee):
    seller = make_employee("manager")
    _c, _s, invoice_id = _invoice(app, seller, shop, make_customer)
    client = signed_in(capabilities={"sales.invoices"})
    response = client.get("/sales/invoices")
    assert response.status_code == 200
    assert get(app, Invoice, invoice_id).number in response.get_data(as_text=True)


# --- the profile's fragment ----------------------------------------------------------

def test_profile_history_lists_transactions_and_invoices(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id, sale_id, invoice_id = _invoice(app, client.employee_id, shop, make_customer)
    record(app, client.employee_id, shop["location_id"], lines=(("Café", 1, 350),), customer_id=customer_id)
    html = client.htmx("get", f"/sales/customer/{customer_id}/history").get_data(as_text=True)
    assert 'id="sales-history"' in html
    assert "84,50" in html and "3,50" in html and f"/sales/{sale_id}" in html
    assert get(app, Invoice, invoice_id).number in html and "Régler" in html
    assert f"/sales?customer_id={customer_id}" in html


def test_profile_history_needs_the_history_permission(app, signed_in, shop, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer()
    assert client.htmx("get", f"/sales/customer/{customer_id}/history").status_code == 403


def test_profile_history_offers_regler_only_with_the_invoices_permission(app, signed_in, shop, make_customer):
    client = signed_in(capabilities={"customers.history.view"})
    customer_id, _s, _i = _invoice(app, client.employee_id, shop, make_customer)
    html = client.htmx("get", f"/sales/customer/{customer_id}/history").get_data(as_text=True)
    assert "Ouverte" in html and "Régler" not in html


def test_settling_from_the_profile_returns_the_history(app, signed_in, shop, make_customer):
    client = signed_in("manager")
    customer_id, _s, invoice_id = _invoice(app, client.employee_id, shop, make_customer)
    response = client.htmx("post", f"/sales/invoices/{invoice_id}/settle", data={"from": "history"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="sales-history"' in html
    assert "réglée" in html and "Régler</button>" not in html


def test_profile_history_of_a_missing_customer_is_404(signed_in):
    client = signed_in("manager")
    assert client.htmx("get", "/sales/customer/999/history").status_code == 404


def test_settling_and_refunding_are_audited_without_personal_values(app, signed_in, shop, make_customer):
    from sqlalchemy import select

    from blueprints.sales.invoices import create_invoice, settle_invoice
    from blueprints.sales.refunds import cancel_sale
    from extensions import db
    from models import AuditEvent, Sale
    client = signed_in("owner")
    customer_id = make_customer(first_name="Aurélie", last_name="Vasseur")
    with app.app_context():
        sale = Sale(location_id=shop["location_id"], customer_id=customer_id, total_cents=1200,
                    payment_method="invoice")
        db.session.add(sale)
        db.session.flush()
        invoice = create_invoice(sale)
        settle_invoice(invoice.id, client.employee_id)
        cancel_sale(sale.id, "refund", client.employee_id)
        db.session.commit()
        events = {event.action: event for event in db.session.scalars(select(AuditEvent))}
        assert events["invoice_settled"].target_id == invoice.id
        assert events["sale_refunded"].target_id == sale.id
        assert "Vasseur" not in str([event.details for event in events.values()])
