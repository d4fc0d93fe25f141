"""Archiver / Désarchiver as seed 000 describes: hidden from the list, found
with Avancé > Archivé on a grey background, refused in sales, reversible, audited."""
from tests.support_customers import audit_actions, get_customer


def test_archive_hides_the_customer_and_is_audited(signed_in, make_customer, app):
    customer = make_customer(first_name="Zoé", last_name="Bernard")
    client = signed_in("manager")
    page = client.get(f"/customers/{customer}").get_data(as_text=True)
    assert ">Archiver<" in page and "data-confirm=" in page
    response = client.post(f"/customers/{customer}/archive")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/customers/{customer}")
    row = get_customer(app, customer)
    assert row["archived"] is True and row["archived_at"] is not None
    assert [(a, t, e) for a, t, e, _ in audit_actions(app, "customer_archived")] == [
        ("customer_archived", customer, client.employee_id)]
    assert "Zoé" not in client.get("/customers").get_data(as_text=True)
    listed = client.get("/customers?archived=1").get_data(as_text=True)
    assert '<tr class="archived">' in listed and "Zoé Bernard" in listed
    profile = client.get(f"/customers/{customer}").get_data(as_text=True)
    assert ">Désarchiver<" in profile and "badge-archived" in profile and "ne peut pas être ajouté aux ventes" in profile


def test_unarchive_brings_the_customer_back(signed_in, make_customer, app):
    customer = make_customer(first_name="Zoé")
    client = signed_in("owner")
    client.post(f"/customers/{customer}/archive")
    response = client.htmx("post", f"/customers/{customer}/unarchive")
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/customers/{customer}"
    row = get_customer(app, customer)
    assert row["archived"] is False and row["archived_at"] is None
    assert "Zoé" in client.get("/customers").get_data(as_text=True)
    assert [a for a, _, _, _ in audit_actions(app) if a.startswith("customer_")] == [
        "customer_archived", "customer_unarchived"]


def test_archiving_twice_writes_one_event(signed_in, make_customer, app):
    customer = make_customer()
    client = signed_in("owner")
    client.post(f"/customers/{customer}/archive")
    client.post(f"/customers/{customer}/archive")
    assert len(audit_actions(app, "customer_archived")) == 1


def test_archive_needs_customers_archive(signed_in, make_customer, app):
    customer = make_customer()
    client = signed_in("cashier")
    assert ">Archiver<" not in client.get(f"/customers/{customer}").get_data(as_text=True)
    assert client.post(f"/customers/{customer}/archive").status_code == 403
    assert client.post(f"/customers/{customer}/unarchive").status_code == 403
    assert get_customer(app, customer)["archived"] is False


def test_archive_needs_csrf(signed_in, make_customer, app):
    customer = make_customer()
    client = signed_in("owner")
    client.send_csrf = False
    assert client.post(f"/customers/{customer}/archive").status_code == 400
    assert get_customer(app, customer)["archived"] is False


def test_archive_missing_customer_is_404(signed_in):
    assert signed_in("owner").post("/customers/424242/archive").status_code == 404


def test_archived_customer_cannot_join_a_sale(app, make_customer):
    import pytest

    from blueprints.customers.service import ArchivedCustomerError, ensure_can_join_sale
    from extensions import db
    from models import Customer
    customer_id = make_customer()
    with app.test_request_context():
        customer = db.session.get(Customer, customer_id)
        ensure_can_join_sale(customer)  # an active customer may
        from blueprints.customers.archiving import archive_customer, unarchive_customer
        archive_customer(customer)
        with pytest.raises(ArchivedCustomerError):
            ensure_can_join_sale(customer)
        unarchive_customer(customer)
        ensure_can_join_sale(customer)
        db.session.rollback()
