"""Undoing an import (issue 15): what it created goes entirely, what it updated
gets its previous values back, except what was used or changed since."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.customers import importing, undo_import
from models import AuditEvent, Customer, Employee, Group, ImportChange, ImportJob, Phone, PointsEntry
from models.base import utcnow
from tests.support_customers_data import add_points, add_sale, csv_bytes, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")


def run_import(db_session, make_employee, rows, **settings) -> ImportJob:
    employee = db_session.get(Employee, make_employee("owner"))
    job = importing.start_upload(csv_bytes(rows), employee=employee)
    job.settings = {**job.settings, **settings}
    importing.queue(job)
    db_session.commit()
    job = importing.run_import(job.id)
    assert job.status == "done"
    return job


def undo(db_session, job) -> ImportJob:
    undo_import.request_undo(job, job.employee_id)
    db_session.commit()
    done = undo_import.run_undo(job.id)
    db_session.expire_all()
    return done


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_undo_removes_the_customers_the_import_created_entirely(db_session, make_employee):
    job = run_import(db_session, make_employee, [
        ["First Name", "Email", "Phone", "Groups"],
        ["Zébulon", "zeb@example.com", "06 12 34 56 78", "Habitués"],
        ["Ysolde", "ysolde@example.com", "", ""]])
    assert count(db_session, Customer) == 2
    assert count(db_session, ImportChange) == 2

    done = undo(db_session, job)

    assert (done.undo_status, done.undo_report["removed"], done.undo_report["kept_count"]) == ("done", 2, 0)
    assert count(db_session, Customer) == 0
    assert count(db_session, Phone) == 0
    assert count(db_session, ImportChange) == 0
    from sqlalchemy import text
    if db_session.get_bind().dialect.name == "sqlite":  # nothing of them left in the trigram index
        assert db_session.scalar(text("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH 'ysolde'")) == 0
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "import_undone"))
    assert (event.target_id, event.details["removed"]) == (job.id, 2)


def test_undo_leaves_a_created_customer_used_since_and_lists_it(db_session, make_employee, shop):
    job = run_import(db_session, make_employee, [["First Name", "Email"], ["Sold", "sold@example.com"],
                                                  ["Pointed", "points@example.com"], ["Edited", "e@example.com"],
                                                  ["Untouched", "u@example.com"]])
    ids = {c.first_name: c.id for c in db_session.scalars(select(Customer))}
    add_sale(ids["Sold"], shop["location_id"])
    add_points(ids["Pointed"], 5)
    db_session.get(Customer, ids["Edited"]).last_name = "Later"
    db_session.commit()

    done = undo(db_session, job)

    left = {c.first_name for c in db_session.scalars(select(Customer))}
    assert left == {"Sold", "Pointed", "Edited"}
    kept = {entry["customer_id"]: entry["reasons"] for entry in done.undo_report["kept"]}
    assert kept[ids["Sold"]] == ["sale"]
    assert kept[ids["Pointed"]] == ["points"]
    assert kept[ids["Edited"]] == ["edited"]
    assert done.undo_report["removed"] == 1


def test_undo_gives_updated_fields_their_previous_values_except_those_changed_since(db_session, make_employee,
                                                                                    make_customer):
    customer_id = make_customer(first_name="Marie", last_name="Curie", email="marie@example.com", city="Paris",
                                tax_id="FR1")
    job = run_import(db_session, make_employee, [
        ["First Name", "Last Name", "Email", "City", "Tax ID", "Phone", "Groups"],
        ["Marie", "Sklodowska", "marie@example.com", "Varsovie", "PL2", "06 55 44 33 22", "Physique"]],
        duplicates="update")
    assert job.updated_count == 1
    customer = db_session.get(Customer, customer_id)
    assert (customer.last_name, customer.city, customer.tax_id) == ("Sklodowska", "Varsovie", "PL2")
    customer.city = "Lyon"  # an edit since the import
    db_session.commit()

    done = undo(db_session, job)

    customer = db_session.get(Customer, customer_id)
    assert customer.last_name == "Curie"
    assert customer.tax_id == "FR1"
    assert customer.city == "Lyon"  # changed since: left in place
    assert customer.phones == []  # the phone it added goes
    assert customer.groups == []  # and the group membership
    assert count(db_session, Group) == 1  # the group itself stays (others may use it)
    assert customer.sort_name.startswith("curie")
    assert done.undo_report["kept"] == [{"customer_id": customer_id, "reasons": ["city"]}]
    assert done.undo_report["restored"] == 1


def test_undo_of_an_update_takes_back_the_opening_balance_unless_points_moved(db_session, make_employee,
                                                                             make_customer):
    quiet = make_customer(first_name="Quiet", email="quiet@example.com")
    busy = make_customer(first_name="Busy", email="busy@example.com")
    job = run_import(db_session, make_employee, [["First Name", "Email", "Loyalty member", "Points"],
                                                  ["Quiet", "quiet@example.com", "yes", "100"],
                                                  ["Busy", "busy@example.com", "yes", "50"]], duplicates="update")
    assert db_session.get(Customer, quiet).points_balance == 100
    add_points(busy, 3)
    db_session.commit()

    done = undo(db_session, job)

    q, b = db_session.get(Customer, quiet), db_session.get(Customer, busy)
    assert (q.points_balance, q.loyalty_member) == (0, False)
    assert (b.points_balance, b.loyalty_member) == (53, True)
    assert {e["customer_id"]: e["reasons"] for e in done.undo_report["kept"]} == {busy: ["points"]}
    assert db_session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                             .where(PointsEntry.customer_id == quiet)) == 0


def test_an_undo_runs_once_and_is_resumed_after_a_dead_worker(db_session, make_employee, monkeypatch):
    rows = [["First Name", "Email"]] + [[f"C{i}", f"c{i}@example.com"] for i in range(12)]
    job = run_import(db_session, make_employee, rows)
    monkeypatch.setattr(undo_import, "CHUNK", 5)
    undo_import.request_undo(job, None)
    db_session.commit()
    calls = []
    real = undo_import._undo_chunk

    def dies_after_one_chunk(changes, report):
        if calls:
            raise SystemExit("worker killed")
        calls.append(1)
        return real(changes, report)

    monkeypatch.setattr(undo_import, "_undo_chunk", dies_after_one_chunk)
    with pytest.raises(SystemExit):
        undo_import.run_undo(job.id)
    db_session.rollback()
    assert count(db_session, Customer) == 7  # the first chunk is committed, the rest waits
    monkeypatch.setattr(undo_import, "_undo_chunk", real)
    job = db_session.get(ImportJob, job.id)
    job.heartbeat_at = utcnow() - timedelta(hours=1)
    db_session.commit()
    assert undo_import.recover_undos() == [job.id]
    done = undo_import.run_undo(job.id)
    assert (done.undo_status, done.undo_report["removed"]) == ("done", 12)
    assert count(db_session, Customer) == 0
    assert undo_import.run_undo(job.id).undo_report["removed"] == 12  # a duplicate delivery changes nothing
    with pytest.raises(undo_import.UndoRefused):
        undo_import.request_undo(done, None)


def test_the_window_closes_after_undo_days_and_the_sweep_forgets_previous_values(db_session, make_employee, app):
    job = run_import(db_session, make_employee, [["First Name"], ["Old"]])
    assert undo_import.refusal(job) is None
    later = utcnow() + timedelta(days=app.config["UNDO_DAYS"], hours=1)
    assert undo_import.refusal(job, now=later)
    assert undo_import.sweep_expired() == 0
    assert undo_import.sweep_expired(now=later) == 1
    assert count(db_session, ImportChange) == 0
