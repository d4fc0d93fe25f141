"""What the undo keeps is personal data (issue 15): an import's undo leaves
nothing of the customers it removes, and a deletion ends the undo window of
its customer at once, leaving nothing in a snapshot or a previous value."""
from sqlalchemy import select

from extensions import db
from models import Customer, ImportChange, MergeSnapshot
from tests.support_customers_data import csv_bytes
from tests.web.test_customers_delete import needles_in_bytes, sqlite_files
from tests.web.test_customers_import import run, upload_ok

NEEDLES = ["xanthippe", "quillebeuf", "zorglub", "647586970", "kouglof"]


def needles_in_tables(app) -> set[str]:
    found = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                text_value = " ".join(str(value) for value in row).lower()
                found |= {needle for needle in NEEDLES if needle in text_value}
    return found


def test_an_undone_import_leaves_nothing_of_the_customers_it_created(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name", "Last Name", "Email", "Phone", "Notes", "Groups"],
                                          ["Xanthippe", "Quillebeuf", "xq@zorglub.example", "06 47 58 69 70",
                                           "Kouglof", "Habitués"]]))
    run(client, job_id)
    assert {"xanthippe", "quillebeuf", "zorglub", "647586970"} <= needles_in_tables(app)

    assert client.post(f"/customers/import/{job_id}/undo").status_code == 303

    assert needles_in_tables(app) == set()
    files = sqlite_files(app)
    if files:
        assert needles_in_bytes(files[1:]) == set()  # the write-ahead log was purged
        with app.app_context():
            db.session.remove()
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert needles_in_bytes(files) == set()


def test_deleting_a_merged_customer_deletes_the_snapshot_and_leaves_nothing(app, signed_in, make_customer):
    client = signed_in("owner")
    primary = make_customer(first_name="Xanthippe", last_name="Quillebeuf", email=None, phones=["06 47 58 69 70"])
    # The secondary's duplicate phone is dropped by the merge: only the snapshot keeps it.
    secondary = make_customer(first_name="Xanthippe", last_name="Quillebeuf", email="xq@zorglub.example",
                              phones=["06 47 58 69 70"], comments="Kouglof")
    assert client.post(f"/customers/{primary}/merge", data={"secondary": secondary}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MergeSnapshot.id)) is not None
    client.post(f"/customers/{primary}/archive")
    assert client.post(f"/customers/{primary}/delete", data={"confirm": "1"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(MergeSnapshot.id)) is None
    assert needles_in_tables(app) == set()


def test_deleting_a_customer_an_import_updated_forgets_the_previous_values(app, signed_in, make_customer):
    client = signed_in("owner")
    customer_id = make_customer(first_name="Anne", last_name="Quillebeuf", email="anne@example.com")
    job_id = upload_ok(client, csv_bytes([["Email", "Last Name"], ["anne@example.com", "Martin"]]))
    run(client, job_id, duplicates="update")
    with app.app_context():
        assert db.session.get(Customer, customer_id).last_name == "Martin"
        assert "quillebeuf" in str(db.session.scalar(select(ImportChange.previous))).lower()
    client.post(f"/customers/{customer_id}/archive")
    assert client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ImportChange.id)) is None
    assert needles_in_tables(app) == set()
