"""The list export decides its permitted columns once per export (issue 13)
and reads plain rows: for every level of every contact field, and for a
customer who came only through a marketing sign-up, each cell is what
permissions.customer_view shows that employee on screen."""
from __future__ import annotations

import pytest

from extensions import db
from models import Customer
from core.permissions import customer_view
from tests.support_customers_data import read_csv

LEVELS = ("none", "masked", "view", "edit")


def capabilities(email: str, phone: str, address: str, history: bool) -> set[str]:
    caps = {"customers.export"}
    for name, level in (("email", email), ("phone", phone), ("address", address)):
        if level != "none":
            caps.add(f"customers.{name}.{level}")
    if history:
        caps.add("customers.history.view")
    return caps


CASES = [(level, level, level, level in ("masked", "edit")) for level in LEVELS] + [
    ("edit", "masked", "none", True), ("view", "none", "masked", False), ("none", "view", "edit", False)]


@pytest.mark.parametrize("email,phone,address,history", CASES)
def test_each_cell_is_what_the_screen_shows(app, signed_in, make_customer, email, phone, address, history):
    shopper = make_customer(first_name="Élodie", email="elodie@gmail.com", phones=["06 12 34 56 78", "+41786736195"],
                            address_line1="2 rue Nord", postal_code="14000", city="Caen", comments="VIP")
    signed_up = make_customer(first_name="Zoé", email="zoe@example.com", phones=["07 81 22 33 44"],
                              address_line1="5 quai Sud", city="Brest", origin="marketing")
    unsubscribed = make_customer(first_name="Yann", email="yann@example.com", phones=["07 81 55 66 77"],
                                 address_line1="1 rue Est", city="Rennes", origin="marketing")
    with app.app_context():  # seed 004: masked while subscribed
        from blueprints.customers.consent import record_consent
        record_consent(db.session.get(Customer, signed_up), "email_marketing", "yes", method="import",
                       source_file="inscriptions.csv", source_column="Accepts Email Marketing", text_shown="yes")
        db.session.commit()
    client = signed_in(capabilities=capabilities(email, phone, address, history))
    response = client.get("/customers/export")
    assert response.status_code == 200
    header, *rows = read_csv(response.get_data())
    by_id = {int(row[0]): dict(zip(header, row)) for row in rows}

    expected_columns = {"Courriel": email != "none", "Téléphone": phone != "none",
                        "Autres téléphones": phone != "none", "Adresse ligne 1": address != "none",
                        "Ville": address != "none", "Commentaires": history}
    for column, present in expected_columns.items():
        assert (column in header) == present, column

    from flask_login import login_user
    from models import Employee
    with app.test_request_context():
        me = db.session.get(Employee, client.employee_id)
        login_user(me)
        for customer_id in (shopper, signed_up, unsubscribed):
            view = customer_view(me, db.session.get(Customer, customer_id), "FR")
            cells = by_id[customer_id]
            if view.email_level != "none":
                assert cells["Courriel"] == (view.email or "")
            if view.phone_level != "none":
                # The export writes E.164 (what the import reads back), masked as the screen masks it.
                linked = [p for p in view.phones if p.linked]
                if view.phone_level == "masked":
                    assert cells["Téléphone"].endswith(linked[0].text[-2:]) and "612345678" not in cells[
                        "Téléphone"]
                    assert all("•" in part for part in cells["Autres téléphones"].split(" / ") if part)
                else:
                    assert cells["Téléphone"].startswith("'+")  # E.164, neutralised as a formula start
            if view.address_level != "none":
                assert cells["Adresse ligne 1"] == (view.address.line1 or "")
                assert cells["Code postal"] == (view.address.postal_code or "")
                assert cells["Ville"] == (view.address.city or "")
            if history:
                assert cells["Commentaires"] == (view.comments or "")
    body = response.get_data(as_text=True)
    if email in ("none", "masked"):
        assert "elodie@gmail.com" not in body
    if email != "edit":
        assert "zoe@example.com" not in body  # marketing sign-up: masked below edit
    if phone in ("none", "masked"):
        assert "612345678" not in body and "41786736195" not in body
    if address in ("none", "masked"):
        assert "2 rue Nord" not in body
    if address != "edit":
        assert "5 quai Sud" not in body
    if not history:
        assert "VIP" not in body
