"""Undo for 30 days through the pages (issue 15): a merge from the profile and
the audit trail, an import from its report; rights, CSRF, audit, English."""
import re

from sqlalchemy import func, select

from extensions import db
from models import AuditEvent, Customer, MergeSnapshot
from tests.support_customers_data import csv_bytes
from tests.web.test_customers_import import run, upload_ok


def merged(app, client, make_customer, **primary_fields):
    primary_fields.setdefault("email", None)
    primary = make_customer(first_name="Élodie", last_name="Dupont", **primary_fields)
    secondary = make_customer(first_name="Elodie", last_name="Dupond", email="elo@example.com")
    response = client.post(f"/customers/{primary}/merge", data={"secondary": secondary})
    assert response.status_code == 302
    with app.app_context():
        snapshot_id = db.session.scalar(select(MergeSnapshot.id))
    return primary, secondary, snapshot_id


def test_merge_is_undone_from_the_profile(app, signed_in, make_customer):
    client = signed_in("manager")
    primary, secondary, snapshot_id = merged(app, client, make_customer)
    profile = client.get(f"/customers/{primary}").get_data(as_text=True)
    assert f'href="/customers/merges/{snapshot_id}/undo"' in profile
    page = client.get(f"/customers/merges/{snapshot_id}/undo")
    assert page.status_code == 200 and "Annuler la fusion" in page.get_data(as_text=True)

    response = client.post(f"/customers/merges/{snapshot_id}/undo")

    assert response.status_code == 303 and response.headers["Location"].endswith(f"/customers/{primary}")
    assert "Fusion annulée" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        back = db.session.get(Customer, secondary)
        assert (back.archived, back.merged_into_id) == (False, None)
        assert db.session.get(Customer, primary).email is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "merge_undone"))
        assert event.employee_id == client.employee_id and "elo" not in str(event.details)
    assert client.get(f"/customers/merges/{snapshot_id}/undo").status_code == 404  # once only


def test_undo_after_a_later_edit_says_what_stays(app, signed_in, make_customer):
    client = signed_in("manager")
    primary, _secondary, snapshot_id = merged(app, client, make_customer)
    with app.app_context():
        customer = db.session.get(Customer, primary)
        customer.email = "elodie.dupont@example.com"
        db.session.commit()
    response = client.post(f"/customers/merges/{snapshot_id}/undo", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Modifié depuis la fusion, donc gardé sur ce client : Courriel." in html
    with app.app_context():
        assert db.session.get(Customer, primary).email == "elodie.dupont@example.com"


def test_merge_undo_needs_the_merge_right_and_csrf(app, signed_in, make_customer, make_employee):
    manager = signed_in("manager")
    _primary, secondary, snapshot_id = merged(app, manager, make_customer)
    manager.send_csrf = False
    assert manager.post(f"/customers/merges/{snapshot_id}/undo").status_code == 400
    manager.send_csrf = True
    manager.post("/logout")
    cashier = signed_in("cashier", email="cashier@test.example")
    assert cashier.get(f"/customers/merges/{snapshot_id}/undo").status_code == 403
    assert cashier.post(f"/customers/merges/{snapshot_id}/undo").status_code == 403
    with app.app_context():
        assert db.session.get(Customer, secondary).merged_into_id is not None


def test_the_audit_trail_links_a_merge_to_its_undo(app, signed_in, make_customer):
    client = signed_in("owner")
    _primary, _secondary, snapshot_id = merged(app, client, make_customer)
    html = client.get("/team/audit").get_data(as_text=True)
    assert f'href="/customers/merges/{snapshot_id}/undo"' in html


def test_merge_undo_page_in_english(app, signed_in, make_customer):
    client = signed_in("manager", language="en")
    _primary, _secondary, snapshot_id = merged(app, client, make_customer)
    html = client.get(f"/customers/merges/{snapshot_id}/undo").get_data(as_text=True)
    assert "Undo merge" in html and "Annuler la fusion" not in html


def imported(client) -> int:
    job_id = upload_ok(client, csv_bytes([["First Name", "Email"], ["Zébulon", "zeb@example.com"],
                                          ["Ysolde", "ysolde@example.com"]]))
    html = run(client, job_id)
    assert "Import terminé" in html and 'id="import-undo-button"' in html
    return job_id


def test_import_is_undone_from_its_report(app, signed_in, shop):
    client = signed_in("owner")
    job_id = imported(client)
    with app.app_context():
        kept_id = db.session.scalar(select(Customer.id).where(Customer.first_name == "Ysolde"))
        db.session.get(Customer, kept_id).last_name = "Later"
        db.session.commit()

    response = client.post(f"/customers/import/{job_id}/undo")

    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cet import a été annulé" in html
    assert f'href="/customers/{kept_id}"' in html and "modifié depuis" in html
    assert 'id="import-undo-button"' not in html
    with app.app_context():
        assert [c.first_name for c in db.session.scalars(select(Customer))] == ["Ysolde"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_undone"))
        assert (event.target_id, event.details) == (job_id, {"removed": 1, "restored": 0, "kept": 1})
    again = client.post(f"/customers/import/{job_id}/undo", follow_redirects=True).get_data(as_text=True)
    assert "Cet import a déjà été annulé." in again


def test_import_undo_needs_the_import_right_and_csrf(app, signed_in, make_employee, shop):
    client = signed_in("owner")
    job_id = imported(client)
    client.send_csrf = False
    assert client.post(f"/customers/import/{job_id}/undo").status_code == 400
    client.send_csrf = True
    client.post("/logout")
    cashier = signed_in("cashier", email="cashier@test.example")
    assert cashier.post(f"/customers/import/{job_id}/undo").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 2


def test_import_report_in_english_offers_the_undo(app, signed_in, shop):
    client = signed_in("owner", language="en")
    job_id = upload_ok(client, csv_bytes([["First Name"], ["Zébulon"]]))
    response = client.post(f"/customers/import/{job_id}/run", data={"duplicates": "skip"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="import-undo-button"[^>]*>Undo this import<', html)


def test_the_secondary_profile_also_offers_the_undo(app, signed_in, make_customer):
    client = signed_in("manager")
    _primary, secondary, snapshot_id = merged(app, client, make_customer)
    html = client.get(f"/customers/{secondary}").get_data(as_text=True)
    assert f'href="/customers/merges/{snapshot_id}/undo"' in html


def test_the_profile_hides_the_undo_without_the_merge_right(app, signed_in, make_customer):
    manager = signed_in("manager")
    primary, _secondary, snapshot_id = merged(app, manager, make_customer)
    manager.post("/logout")
    cashier = signed_in("cashier", email="cashier@test.example")
    response = cashier.get(f"/customers/{primary}")
    assert response.status_code == 200 and "/undo" not in response.get_data(as_text=True)
