"""Deleting a customer (seeds 000/001) through the pages: permissions, the
warning and its checkbox, the confirmation, and nothing of the person left."""
from pathlib import Path

from sqlalchemy import func, select, text

from extensions import db
from models import AuditEvent, Customer
from tests.support_customers_data import add_points, add_sale

# Distinctive values: if any of them is found after the deletion, it leaked.
PERSON = {
    "first_name": "Xanthippe", "last_name": "Quillebeuf", "email": "xanthippe.quillebeuf@zorglub.example",
    "phones": ["06 47 58 69 70"], "address_line1": "17 impasse Zéphyrine", "city": "Trifouilly-les-Oies",
    "postal_code": "97391", "comments": "Préfère le Kouglof-7731 aux noisettes", "tax_id": "FRXQ99887766",
}
# Searched case-insensitively, in the forms the database may hold them (as typed, folded keys, digits).
NEEDLES = ["xanthippe", "quillebeuf", "zorglub", "647586970", "0647586970", "zephyrine", "zéphyrine",
           "trifouilly", "kouglof", "frxq99887766", "97391"]


def archived_person(app, make_customer, shop) -> int:
    customer_id = make_customer(**PERSON)
    with app.app_context():
        add_sale(customer_id, shop["location_id"], card_holder_name="X QUILLEBEUF",
                 items=(("Pain seigle-du-nord", 1, 450),))
        add_points(customer_id, 12, reason="Anniversaire de Xanthippe")
        customer = db.session.get(Customer, customer_id)
        # Consent with its proof (issue 15): a file named after her, and a withdrawal at the counter.
        from blueprints.customers.consent import record_consent
        record_consent(customer, "email_marketing", "yes", method="import",
                       source_file="inscriptions-xanthippe-quillebeuf.csv", source_column="Accepts Email Marketing",
                       text_shown="yes")
        record_consent(customer, "email_marketing", "no", method="request", employee_id=_any_employee(),
                       text_shown="Xanthippe ne veut plus de courriels")
        customer.archived = True
        db.session.commit()
    return customer_id


def _any_employee() -> int:
    from models import Employee
    return db.session.scalar(select(Employee.id).limit(1))


def consent_rows_of(app, customer_id: int) -> int:
    from models import ConsentEvent, CustomerConsent
    with app.app_context():
        return sum(db.session.scalar(select(func.count()).select_from(model).where(model.customer_id == customer_id))
                   for model in (ConsentEvent, CustomerConsent))


def values_in_tables(app) -> set[str]:
    """Every needle found in any column of any table."""
    found = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                for value in row:
                    text_value = str(value).lower()
                    found |= {needle for needle in NEEDLES if needle in text_value}
    return found


def sqlite_files(app) -> list[Path]:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return []
        path = Path(db.engine.url.database)
    return [path, Path(f"{path}-wal")]


def needles_in_bytes(paths: list[Path]) -> set[str]:
    found = set()
    for path in paths:
        if path.exists():
            data = path.read_bytes().lower()
            found |= {needle for needle in NEEDLES if needle.encode("utf-8") in data}
    return found

def assert_nothing_in_files(app, files):
    """SQLite: no trace in the database's files. The application's own purge
    already emptied the write-ahead log; after a checkpoint, secure_delete
    left nothing in the main file's free space either."""
    if not files:
        return
    assert needles_in_bytes(files[1:]) == set()
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert needles_in_bytes(files) == set()



def test_deletion_leaves_no_personal_value_in_any_table_nor_in_the_database_files(
        app, signed_in, make_customer, shop):
    client = signed_in("owner")
    customer_id = archived_person(app, make_customer, shop)
    client.get(f"/customers/{customer_id}")  # an audited profile view, as in real life
    # The method can fail: before the deletion the values are there.
    assert {"xanthippe", "quillebeuf", "647586970", "kouglof"} <= values_in_tables(app)
    assert consent_rows_of(app, customer_id) == 3  # two decisions, one current state
    files = sqlite_files(app)
    if files:
        assert "xanthippe" in needles_in_bytes(files)

    response = client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"})
    assert response.status_code == 303

    assert values_in_tables(app) == set()
    assert consent_rows_of(app, customer_id) == 0  # nothing of their consent history is left
    assert_nothing_in_files(app, files)


def test_delete_needs_basic_and_delete_capabilities(app, signed_in, make_customer, shop):
    customer_id = make_customer(archived=True)
    client = signed_in("manager")  # Gérant: archive and merge, no delete
    assert client.get(f"/customers/{customer_id}/delete").status_code == 403
    assert client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}).status_code == 403
    with app.app_context():
        assert not db.session.get(Customer, customer_id).anonymised


def test_delete_with_a_custom_set_holding_delete_works(app, signed_in, make_customer):
    customer_id = make_customer(archived=True)
    client = signed_in(capabilities={"customers.basic", "customers.delete"})
    assert client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}).status_code == 303
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.anonymised and customer.first_name is None and customer.last_name is None


def test_delete_page_shows_the_seed_warning_and_a_checkbox(signed_in, make_customer):
    customer_id = make_customer(archived=True)
    html = signed_in("owner").get(f"/customers/{customer_id}/delete").get_data(as_text=True)
    assert "suppression de tous les liens pointant vers ce client" in html
    assert "identifiant anonymisé" in html and "ne peut être annulée" in html
    assert 'type="checkbox" name="confirm"' in html
    assert "Supprimer ce client" in html


def test_delete_page_of_a_customer_not_archived_asks_to_archive_first(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner")
    html = client.get(f"/customers/{customer_id}/delete").get_data(as_text=True)
    assert "Archivez d’abord le client" in html and 'name="confirm"' not in html
    response = client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"})
    assert response.status_code == 422
    with app.app_context():
        assert not db.session.get(Customer, customer_id).anonymised


def test_delete_without_the_checkbox_is_refused_beside_it(app, signed_in, make_customer):
    customer_id = make_customer(archived=True)
    response = signed_in("owner").post(f"/customers/{customer_id}/delete", data={})
    assert response.status_code == 422
    assert 'id="confirm-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Customer, customer_id).first_name == "Jeanne"


def test_delete_without_csrf_token_is_refused(app, signed_in, make_customer):
    customer_id = make_customer(archived=True)
    client = signed_in("owner")
    client.send_csrf = False
    assert client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}).status_code == 400
    with app.app_context():
        assert not db.session.get(Customer, customer_id).anonymised


def test_after_deletion_the_confirmation_returns_to_the_list_and_the_profile_is_gone(
        app, signed_in, make_customer):
    customer_id = make_customer(archived=True)
    client = signed_in("owner")
    response = client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Client anonymisé #{customer_id}" in html
    assert "Retourner à la liste des clients" in html and 'href="/customers"' in html
    assert client.get(f"/customers/{customer_id}").status_code == 404
    assert client.get(f"/customers/{customer_id}/delete").status_code == 404
    assert client.get(f"/customers/{customer_id}/export").status_code == 404


def test_deletion_is_audited_with_ids_only(app, signed_in, make_customer):
    customer_id = make_customer(first_name="Ondine", archived=True)
    client = signed_in("owner")
    client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_deleted"))
        assert event.target_id == customer_id and event.employee_id == client.employee_id
        assert "ondine" not in str(event.details).lower()


def test_delete_of_a_missing_customer_is_404(signed_in, shop):
    assert signed_in("owner").get("/customers/999999/delete").status_code == 404


def needles_in_postgresql_tuples(app) -> set[str]:
    """Every needle in any tuple, live or dead, of the tables the deletion
    writes, read from the heap pages themselves (pageinspect)."""
    from blueprints.customers.deletion import WRITTEN_TABLES
    found = set()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
            for table in WRITTEN_TABLES:
                blocks = connection.execute(text(
                    "SELECT pg_relation_size(:t) / current_setting('block_size')::int"), {"t": table}).scalar()
                for block in range(blocks):
                    for (data,) in connection.execute(text(
                            "SELECT t_data FROM heap_page_items(get_raw_page(:t, :b)) WHERE t_data IS NOT NULL"),
                            {"t": table, "b": block}):
                        raw = bytes(data).lower()
                        found |= {needle for needle in NEEDLES if needle.encode("utf-8") in raw}
    return found


def test_deletion_leaves_no_live_or_dead_tuple_with_the_values_on_postgresql_and_sqlite_zeroes_pages(
        app, signed_in, make_customer, shop):
    """PostgreSQL: after the deletion's VACUUM, no tuple of the written tables,
    live or dead, holds a value. SQLite: secure_delete is on (the file test above)."""
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1
            return
    client = signed_in("owner")
    customer_id = archived_person(app, make_customer, shop)
    assert {"xanthippe", "quillebeuf"} <= needles_in_postgresql_tuples(app)  # the method can fail
    assert client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}).status_code == 303
    assert needles_in_postgresql_tuples(app) == set()


def test_deletion_leaves_no_trigram_of_the_person_in_the_sqlite_search_index(app, signed_in, make_customer, shop):
    """FTS5 deletes by tombstone: without the merge (purge_freed_pages) the
    old segment still holds the trigrams of the deleted name."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return

    def segments() -> bytes:
        with app.app_context():
            return b"".join(bytes(block or b"") for (block,) in db.session.execute(
                text("SELECT block FROM customer_fts_data")))

    customer_id = make_customer(first_name="Zyqvox", last_name="Wlkjh")
    make_customer(first_name="Other", last_name="Person")  # the index keeps other customers
    with app.app_context():
        db.session.execute(text("UPDATE customers SET archived = 1 WHERE id = :id"), {"id": customer_id})
        db.session.commit()
    assert b"yqv" in segments()  # the method can fail
    client = signed_in("owner")
    assert client.post(f"/customers/{customer_id}/delete", data={"confirm": "1"}).status_code == 303
    data = segments()
    assert b"yqv" not in data and b"lkj" not in data
    assert b"per" in data  # "person"


# --- the same zero-trace checks on a customer the retention job anonymised (issue 15) ---

def idle_person(app, make_customer, shop) -> int:
    """The person, not archived, with a sale and points, and no activity for years."""
    from datetime import date, datetime

    from sqlalchemy import update

    from models import PointsEntry, Sale, ShopSettings
    customer_id = make_customer(**PERSON)
    long_ago = datetime(2015, 3, 2)
    with app.app_context():
        add_sale(customer_id, shop["location_id"], card_holder_name="X QUILLEBEUF",
                 items=(("Pain seigle-du-nord", 1, 450),))
        add_points(customer_id, 12, reason="Anniversaire de Xanthippe")
        db.session.commit()
        db.session.execute(update(Sale).where(Sale.customer_id == customer_id).values(created_at=long_ago))
        db.session.execute(update(PointsEntry).where(PointsEntry.customer_id == customer_id)
                           .values(created_at=long_ago))
        db.session.execute(update(Customer).where(Customer.id == customer_id).values(
            created_at=long_ago, updated_at=long_ago, last_visit_at=long_ago, first_visit_at=long_ago))
        settings = ShopSettings.get()
        settings.retention_enabled, settings.retention_starts_on = True, date(2020, 1, 1)
        db.session.commit()
    return customer_id


def run_the_periodic_job(app):
    """The queue's periodic task itself (blueprints/customers/tasks.py), enqueued as the scheduler
    does; the tests' queue runs it at once."""
    from blueprints.customers import tasks
    with app.app_context():
        db.session.remove()
    tasks.anonymise_inactive_customers()
    with app.app_context():
        db.session.remove()


def test_the_retention_job_leaves_no_personal_value_in_any_table_nor_in_the_database_files(
        app, signed_in, make_customer, shop):
    client = signed_in("owner")
    customer_id = idle_person(app, make_customer, shop)
    client.get(f"/customers/{customer_id}")
    assert {"xanthippe", "quillebeuf", "647586970", "kouglof"} <= values_in_tables(app)
    files = sqlite_files(app)
    if files:
        assert "xanthippe" in needles_in_bytes(files)

    run_the_periodic_job(app)

    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert customer.anonymised and customer.archived
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_auto_anonymised"))
        assert event.count == 1
    assert values_in_tables(app) == set()
    assert_nothing_in_files(app, files)
    assert client.get(f"/customers/{customer_id}").status_code == 404


def test_the_retention_job_leaves_no_live_or_dead_tuple_on_postgresql(app, make_customer, shop):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
    customer_id = idle_person(app, make_customer, shop)
    assert {"xanthippe", "quillebeuf"} <= needles_in_postgresql_tuples(app)
    run_the_periodic_job(app)
    with app.app_context():
        assert db.session.get(Customer, customer_id).anonymised
    assert needles_in_postgresql_tuples(app) == set()
