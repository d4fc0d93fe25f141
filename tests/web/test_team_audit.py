"""The audit trail at /team/audit: filtered, paged (query in the URL),
exported as CSV, never a personal value, customers by id as links."""
import csv
import io
from datetime import datetime

from sqlalchemy import select


def _add_events(app, *events):
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        for fields in events:
            db.session.add(AuditEvent(details={}, **fields))
        db.session.commit()


def test_audit_trail_needs_team_manage(signed_in):
    client = signed_in("manager")
    assert client.get("/team/audit").status_code == 403
    assert client.get("/team/audit/export").status_code == 403


def test_audit_lists_who_did_what_with_customer_ids_as_links(signed_in, make_employee, make_customer, app):
    client = signed_in("owner")
    cashier = make_employee("cashier", name="Inès Caisse", email="ines@test.example")
    customer_id = make_customer(first_name="Zoé", last_name="Invisible", email="zoe.invisible@exemple.fr")
    _add_events(app, {"action": "profile_viewed", "employee_id": cashier, "target_type": "customer",
                      "target_id": customer_id},
                {"action": "customers_exported", "employee_id": cashier, "count": 12})
    html = client.get("/team/audit").get_data(as_text=True)
    assert "Inès Caisse" in html and "Fiche avec coordonnées consultée" in html
    assert f'href="/customers/{customer_id}"' in html and f"#{customer_id}" in html
    assert "Invisible" not in html and "zoe.invisible" not in html  # a customer is never named
    assert ">12<" in html


def test_audit_filters_by_employee_action_and_period(signed_in, make_employee, app):
    client = signed_in("owner")
    first = make_employee("cashier", name="Anaïs", email="a@test.example")
    second = make_employee("manager", name="Bruno", email="b@test.example")
    _add_events(app,
                {"action": "points_added", "employee_id": first, "at": datetime(2026, 2, 10, 12), "count": 5},
                {"action": "points_added", "employee_id": second, "at": datetime(2026, 2, 11, 12), "count": 6},
                {"action": "customer_archived", "employee_id": first, "at": datetime(2026, 2, 12, 12),
                 "target_type": "customer", "target_id": 1},
                {"action": "points_added", "employee_id": first, "at": datetime(2026, 3, 1, 12), "count": 7})
    html = client.get(f"/team/audit?employee={first}&action=points_added&from=2026-02-01&to=2026-02-28"
                      ).get_data(as_text=True)
    assert "1 événement" in html and ">5<" in html and ">6<" not in html and ">7<" not in html
    # htmx asks for the results only, with the same URL.
    fragment = client.get(f"/team/audit?employee={first}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "3 événements" in fragment


def test_audit_is_paged_with_the_query_kept_in_the_links(signed_in, app):
    client = signed_in("owner")
    _add_events(app, *[{"action": "points_added", "count": n, "at": datetime(2026, 1, 1, 0, n % 60)}
                       for n in range(60)] + [{"action": "sign_in", "at": datetime(2026, 1, 2)}])
    html = client.get("/team/audit?action=points_added").get_data(as_text=True)
    assert "60 événements" in html and "Page 1 sur 2" in html
    assert "/team/audit?action=points_added&amp;page=2" in html
    second = client.get("/team/audit?action=points_added&page=2").get_data(as_text=True)
    assert "Page 2 sur 2" in second and second.count("<tr") == 1 + 10


def test_audit_export_is_csv_with_bom_filtered_and_formula_neutralised(signed_in, make_employee, app):
    client = signed_in("owner")
    sneaky = make_employee("cashier", name="=HYPERLINK(\"x\")", email="s@test.example")
    _add_events(app, {"action": "points_added", "employee_id": sneaky, "count": 3},
                {"action": "sign_in", "employee_id": sneaky})
    response = client.get("/team/audit/export?action=points_added")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][3] == "points_added"
    assert rows[1][2].startswith("'=")
    # Exporting the trail is itself recorded.
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        event, = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit_exported"))
        assert event.details["action"] == "points_added"


def test_audit_export_survives_a_free_text_action_in_the_url(signed_in, app):
    client = signed_in("owner")
    _add_events(app, {"action": "points_added", "employee_id": client.employee_id})
    response = client.get("/team/audit/export?action=Jean%20Dupont")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 and len(rows[0]) > 3  # the header, and no event matches that action
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        event, = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit_exported"))
        assert event.details["action"] is None  # free text typed into the URL (a name?) is not kept


def test_forbidden_attempts_appear_in_the_trail(signed_in, make_employee, app, client):
    from tests.conftest import sign_in
    make_employee("cashier", name="Curieux", email="curieux@test.example")
    sign_in(client, "curieux@test.example")
    assert client.get("/team/audit").status_code == 403
    client.post("/logout")
    owner = signed_in("owner")
    html = owner.get("/team/audit?action=forbidden").get_data(as_text=True)
    assert "Curieux" in html and "Tentative refusée" in html
    assert "Autorisation manquante : Employés, autorisations et journal d’audit" in html or \
        "Autorisation manquante : Employés, autorisations et journal d’audit" in html


def test_audit_details_never_hold_a_personal_value(signed_in, shop, make_employee, app):
    """Everything the team room writes: tokens only (audit.record would raise otherwise)."""
    client = signed_in("owner")
    client.post("/team/employees/new", data={"name": "Éloïse Nouvelle", "email": "eloise@boutique.example",
                                             "permission_set": shop["sets"]["Employé"], "language": "fr"})
    from extensions import db
    from models import AuditEvent, Employee
    with app.app_context():
        employee_id = db.session.scalar(select(Employee.id).where(Employee.email == "eloise@boutique.example"))
    client.post(f"/team/employees/{employee_id}/edit", data={
        "name": "Éloïse Renommée", "email": "eloise2@boutique.example", "permission_set": shop["sets"]["Gérant"],
        "language": "en"})
    client.post(f"/team/employees/{employee_id}/password")
    client.post(f"/team/employees/{employee_id}/deactivate")
    client.post("/team/sets", data={"source": shop["sets"]["Gérant"], "name": "Équipe du soir"})
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent)))
        actions = {event.action for event in events}
        assert {"employee_created", "employee_updated", "password_reset", "employee_deactivated",
                "permission_set_created"} <= actions
        text = repr([(e.details, e.target_type) for e in events])
    for value in ("Éloïse", "eloise", "boutique.example", "soir"):
        assert value not in text
