"""The *À traiter* inbox and the retention page through HTTP: permissions,
CSRF, htmx answers, the navigation badge and the counter's hint."""
from datetime import date, datetime

from sqlalchemy import select, update

from extensions import db
from models import AuditEvent, Customer, QualityIgnored, ShopSettings


def test_the_inbox_lists_items_with_their_fix_and_the_badge_counts_them(app, signed_in, make_customer):
    make_customer(first_name="MARIE", last_name="Curie", email="marie@gmial.com")
    client = signed_in("owner")
    html = client.get("/customers/inbox?kind=email_typo").get_data(as_text=True)
    assert "marie@gmial.com" in html and "Corriger en marie@gmail.com" in html and "Ignorer" in html
    nav = client.get("/customers").get_data(as_text=True)
    assert 'href="/customers/inbox"' in nav and '<span class="badge"' in nav


def test_a_set_that_cannot_see_emails_is_not_shown_email_problems(signed_in, make_customer):
    make_customer(first_name="Paul", email="paul@gmial.com")
    client = signed_in("cashier")
    assert client.get("/customers/inbox?kind=email_typo").status_code == 404
    html = client.get("/customers/inbox").get_data(as_text=True)
    assert "gmial" not in html and "Fautes de frappe" not in html


def test_the_inbox_needs_customers_basic(signed_in):
    client = signed_in(capabilities={"access.register"})
    assert client.get("/customers/inbox").status_code == 403


def test_one_tap_fix_with_htmx_answers_the_row(app, signed_in, make_customer):
    customer_id = make_customer(first_name="JEAN", last_name="VALJEAN")
    client = signed_in("owner")
    response = client.htmx("post", f"/customers/inbox/name/{customer_id}/fix", data={"version": "1"})
    assert response.status_code == 200 and "Corrigé" in response.get_data(as_text=True)
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert (customer.first_name, customer.last_name) == ("Jean", "Valjean")


def test_a_fix_on_a_stale_row_is_refused_with_422(app, signed_in, make_customer):
    customer_id = make_customer(first_name="JEAN")
    client = signed_in("owner")
    response = client.htmx("post", f"/customers/inbox/name/{customer_id}/fix", data={"version": "7"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Customer, customer_id).first_name == "JEAN"


def test_the_email_fix_needs_the_right_to_edit_emails(app, signed_in, make_customer):
    customer_id = make_customer(email="a@gmial.com")
    client = signed_in(capabilities={"customers.email.view"})
    assert client.post(f"/customers/inbox/email_typo/{customer_id}/fix", data={"version": "1"}).status_code == 403
    with app.app_context():
        assert db.session.get(Customer, customer_id).email == "a@gmial.com"


def test_fix_and_ignore_need_the_csrf_token(app, signed_in, make_customer):
    customer_id = make_customer(first_name="JEAN")
    client = signed_in("owner")
    client.send_csrf = False
    assert client.post(f"/customers/inbox/name/{customer_id}/fix", data={"version": "1"}).status_code == 400
    assert client.post(f"/customers/inbox/name/{customer_id}/ignore", data={"subject": "0"}).status_code == 400
    with app.app_context():
        assert db.session.get(Customer, customer_id).first_name == "JEAN"
        assert db.session.scalar(select(QualityIgnored)) is None


def test_ignore_is_remembered_and_audited(app, signed_in, make_customer):
    customer_id = make_customer(first_name="JEAN")
    client = signed_in("owner")
    response = client.post(f"/customers/inbox/name/{customer_id}/ignore", data={"subject": "0"})
    assert response.status_code == 302
    assert "JEAN" not in client.get("/customers/inbox?kind=name").get_data(as_text=True)
    assert client.post(f"/customers/inbox/phone/{customer_id}/ignore", data={"subject": "0"}).status_code == 422
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "quality_ignored"))
        assert event.target_id == customer_id and event.details == {"kind": "name"}


def test_the_counter_shows_a_discreet_hint(app, signed_in, make_customer):
    customer_id = make_customer(first_name="Lucie", phones=["chez sa mère"])
    client = signed_in("manager")
    html = client.get(f"/sales/counter/customer?customer_id={customer_id}", headers={"HX-Request": "true"}
                      ).get_data(as_text=True)
    assert "Téléphone à vérifier" in html


def test_the_counters_hint_follows_the_rights(app, signed_in, make_customer):
    customer_id = make_customer(first_name="Lucie", phones=["chez sa mère"])
    html = signed_in("cashier").get(f"/sales/counter/customer?customer_id={customer_id}",
                                    headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Lucie" in html and "Téléphone à vérifier" not in html


def test_the_inbox_in_english(signed_in, make_customer):
    make_customer(first_name="JEAN")
    html = signed_in("owner", language="en").get("/customers/inbox?kind=name").get_data(as_text=True)
    assert "To review" in html and "Ignore" in html


# --- retention -----------------------------------------------------------------

def test_the_owner_enables_retention_after_seeing_the_count(app, signed_in, make_customer):
    client = signed_in("owner")
    html = client.get("/customers/retention?years=3").get_data(as_text=True)
    assert "seraient anonymisés" in html or "serait anonymisé" in html
    refused = client.htmx("post", "/customers/retention/settings", data={"years": "3", "seen_count": "0"})
    assert refused.status_code == 422 and 'id="confirm-error"' in refused.get_data(as_text=True)
    done = client.post("/customers/retention/settings", data={"years": "3", "seen_count": "0", "confirm": "1"})
    assert done.status_code == 302
    with app.app_context():
        settings = ShopSettings.get()
        assert settings.retention_enabled and settings.retention_starts_on.day == 1


def test_only_the_owner_sets_retention(app, signed_in):
    client = signed_in("manager")
    assert client.post("/customers/retention/settings",
                       data={"years": "3", "seen_count": "0", "confirm": "1"}).status_code == 403
    with app.app_context():
        assert not ShopSettings.get().retention_enabled


def test_the_notice_lists_who_goes_and_keep_is_audited(app, signed_in, make_customer):
    customer_id = make_customer(first_name="Ondine", email="ondine@example.com")
    with app.app_context():
        db.session.execute(update(Customer).where(Customer.id == customer_id).values(
            created_at=datetime(2015, 1, 1), updated_at=datetime(2015, 1, 1)))
        settings = ShopSettings.get()
        settings.retention_enabled, settings.retention_starts_on = True, date(2020, 1, 1)
        db.session.commit()
    client = signed_in("cashier")  # sees names, not emails
    html = client.get("/customers/retention").get_data(as_text=True)
    assert "Ondine" in html and "ondine@example.com" not in html and "sera anonymisé le" in html
    response = client.htmx("post", f"/customers/{customer_id}/keep")
    assert response.status_code == 200 and "conservé" in response.get_data(as_text=True)
    assert "Ondine" not in client.get("/customers/retention").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_kept"))
        assert event.target_id == customer_id and event.employee_id == client.employee_id


def test_the_inbox_announces_the_next_anonymisation_in_the_month_before(app, signed_in):
    from blueprints.customers.anonymising import next_first_of_month
    from models.base import utcnow
    with app.app_context():
        settings = ShopSettings.get()
        settings.retention_enabled, settings.retention_starts_on = True, next_first_of_month(utcnow().date())
        db.session.commit()
    html = signed_in("owner").get("/customers/inbox").get_data(as_text=True)
    assert "seront anonymisés le" in html and 'href="/customers/retention"' in html
