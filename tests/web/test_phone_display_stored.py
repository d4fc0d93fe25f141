"""Phone.display (issue 13): the display form of every number is written with
it by each code that writes phones (adding, editing, the import's two
writers, merge and its undo, the demo loader, the migration), so pages read
it instead of formatting each number per row."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from extensions import db
from models import Customer, MergeSnapshot, Phone
from core.phones import display_form
from tests.support_customers_data import csv_bytes, in_request  # noqa: F401  (a fixture)


def assert_all_displays_right(app) -> int:
    """Every stored display equals what phones.display_form gives; returns the count."""
    with app.app_context():
        phones = db.session.scalars(select(Phone)).all()
        for phone in phones:
            assert phone.display is not None, (phone.raw, phone.e164)
            assert phone.display == display_form(phone.e164, phone.raw, "FR"), (phone.raw, phone.display)
        return len(phones)


def test_display_form_is_national_for_the_region_international_otherwise_raw_when_unreadable():
    assert display_form("+33612345678", "06.12.34.56.78", "FR") == "06 12 34 56 78"
    assert display_form("+41786736195", "+41 78 673 61 95", "FR") == "+41 78 673 61 95"
    assert display_form(None, "chez Mme Durand", "FR") == "chez Mme Durand"


def test_adding_stores_the_display_form(app, make_customer):
    make_customer(phones=["0612345678", "+41786736195"])
    assert assert_all_displays_right(app) == 2
    with app.app_context():
        assert sorted(db.session.scalars(select(Phone.display))) == ["+41 78 673 61 95", "06 12 34 56 78"]


def test_adding_through_the_form_stores_the_display_form(app, signed_in, shop):
    client = signed_in("owner")
    response = client.post("/customers/new", data={"first_name": "Nina", "last_name": "Roux",
                                                   "phone": "06.12.34.56.78", "confirm": "1"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert assert_all_displays_right(app) == 1


def test_editing_a_number_and_adding_one_keep_the_display_in_step(app, make_customer, in_request):  # noqa: F811
    from blueprints.customers.editing import PhoneChange, update_contact
    customer_id = make_customer(phones=["06 12 34 56 78"])
    customer = db.session.get(Customer, customer_id)
    (phone,) = customer.phones
    update_contact(customer, version=customer.version, editable={"phone"}, region="FR",
                   phones=[PhoneChange(phone.id, "+44 20 7946 0958", f"phone-{phone.id}"),
                           PhoneChange(None, "0781223344", "new_phone-0")])
    db.session.commit()
    displays = sorted(db.session.scalars(select(Phone.display)))
    assert displays == ["+44 20 7946 0958", "07 81 22 33 44"]
    assert assert_all_displays_right(app) == 2


def test_the_import_stores_the_display_form_when_it_creates_and_when_it_updates(app, signed_in, make_customer,
                                                                                 shop):
    from tests.web.test_customers_import import run, upload_ok
    make_customer(first_name="Old", email="same@example.com", phones=["06 12 34 56 78"])
    client = signed_in("owner")
    rows = [["First Name", "Email", "Phone"],
            ["New", "new@example.com", "07.81.22.33.44"],           # created: the bulk writer
            ["Old", "same@example.com", "+41 78 673 61 95"],         # updated: a number added
            ["Odd", "odd@example.com", "rappeler le soir"]]          # unreadable: kept as typed
    run(client, upload_ok(client, csv_bytes(rows)), duplicates="update")
    with app.app_context():
        displays = set(db.session.scalars(select(Phone.display)))
    assert {"07 81 22 33 44", "+41 78 673 61 95", "06 12 34 56 78"} <= displays
    assert assert_all_displays_right(app) >= 3


def test_merge_and_its_undo_keep_the_display_in_step(app, signed_in, make_customer):
    primary = make_customer(first_name="Élodie", last_name="Dupont", phones=["06 12 34 56 78"])
    secondary = make_customer(first_name="Elodie", last_name="Dupond",
                              phones=["+33 6 12 34 56 78", "07 81 22 33 44"])  # one duplicate dropped, one moved
    client = signed_in("owner")
    assert client.post(f"/customers/{primary}/merge", data={"secondary": secondary}).status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(Phone.display).where(Phone.customer_id == primary))) == \
            ["06 12 34 56 78", "07 81 22 33 44"]
        snapshot_id = db.session.scalar(select(MergeSnapshot.id))
    assert_all_displays_right(app)
    assert client.post(f"/customers/merges/{snapshot_id}/undo").status_code in (302, 303)
    with app.app_context():  # the dropped duplicate is written again, with its display form
        assert sorted(db.session.scalars(select(Phone.display).where(Phone.customer_id == secondary))) == \
            ["06 12 34 56 78", "07 81 22 33 44"]
    assert assert_all_displays_right(app) == 3


def test_the_demo_loader_stores_the_display_form(app):
    from demo.build import build_demo_shop
    with app.app_context():
        build_demo_shop(customer_count=60, echo=lambda *_: None)
    assert assert_all_displays_right(app) > 30


def test_the_directory_shows_the_stored_display_form(app, signed_in, make_customer):
    """The page reads Phone.display: a stored form is what it shows."""
    customer_id = make_customer(phones=["06 12 34 56 78"])
    with app.app_context():
        db.session.execute(update(Phone).values(display="06 12 34 56 78 (stored)"))
        db.session.commit()
    html = signed_in("owner").get("/customers", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "06 12 34 56 78 (stored)" in html and f"/customers/{customer_id}" in html


@pytest.fixture
def migrations_dir():
    from pathlib import Path
    return str(Path(__file__).resolve().parents[2] / "migrations")


def test_the_migration_fills_the_display_of_existing_numbers(app, make_customer, migrations_dir):
    from flask_migrate import downgrade, upgrade
    make_customer(phones=["06 12 34 56 78", "+41786736195"])
    with app.app_context():
        db.session.remove()
        downgrade(directory=migrations_dir, revision="f15c00000001")  # the one before f13p00000001
        try:
            rows = db.session.execute(select(Phone.__table__.c.raw).select_from(Phone.__table__)).all()
            assert len(rows) == 2
        finally:
            db.session.remove()
            upgrade(directory=migrations_dir)
    assert assert_all_displays_right(app) == 2
