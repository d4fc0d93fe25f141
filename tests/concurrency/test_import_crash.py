"""An import is all-or-nothing even when its worker process dies (SIGKILL):
killed while checking, nothing is written and the job says so (with a
retry); killed while committing, the staged rows are moved once, all of
them, when a consumer starts again."""
import pytest
from sqlalchemy import func, select

from blueprints.customers import importing
from extensions import db
from models import Customer, Employee, ImportJob, ImportStagedRow
from tests.concurrency.conftest import wait_for
from tests.support_customers_data import csv_bytes

ROWS = 12_000


def _job(app, make_employee) -> int:
    owner = make_employee("owner")
    rows = [["First Name", "Last Name", "Email", "Phone"]] + [
        [f"Prénom{i}", f"Nom{i}", f"client{i}@example.com", f"06{i:08d}"] for i in range(ROWS)]
    with app.app_context():
        job = importing.start_upload(csv_bytes(rows), employee=db.session.get(Employee, owner))
        importing.queue(job)
        db.session.commit()
        return job.id


def _state(app, job_id):
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        customers = db.session.scalar(select(func.count()).select_from(Customer))
        staged = db.session.scalar(select(func.count()).select_from(ImportStagedRow))
        emails = db.session.scalar(select(func.count(func.distinct(Customer.email_key))))
        return job.status, job.processed_rows, job.failure, customers, staged, emails


def _enqueue(job_id):
    from blueprints.customers.tasks import run_import_task
    run_import_task(job_id)


def test_killed_while_checking_writes_nothing_and_can_be_retried(app, shop, make_employee, real_queue):
    job_id = _job(app, make_employee)
    consumer = real_queue()
    _enqueue(job_id)
    consumer.start()
    wait_for(lambda: _state(app, job_id)[:2] >= ("checking", 2000) and _state(app, job_id)[0] == "checking",
             what="the check to be under way")
    consumer.kill()
    status, _processed, _failure, customers, _staged, _emails = _state(app, job_id)
    assert (status, customers) == ("checking", 0)
    with app.app_context():  # the page already tells: this worker is gone
        assert importing.is_dead(db.session.get(ImportJob, job_id))

    consumer.start()  # a consumer starting again cleans up after the dead one
    wait_for(lambda: _state(app, job_id)[0] == "failed", what="the job to be marked failed")
    assert _state(app, job_id)[2:5] == ("worker_died", 0, 0)
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        assert importing.retry(job)
        db.session.commit()
    _enqueue(job_id)
    wait_for(lambda: _state(app, job_id)[0] == "done", what="the retried import", timeout=120)
    assert _state(app, job_id)[3:] == (ROWS, 0, ROWS)


def test_killed_while_committing_is_finished_once_by_the_next_consumer(app, shop, make_employee, real_queue):
    job_id = _job(app, make_employee)
    consumer = real_queue(IMPORT_COMMIT_CHUNK=200)
    _enqueue(job_id)
    consumer.start()
    wait_for(lambda: _state(app, job_id)[0] == "committing", what="the commit point", timeout=120)
    consumer.kill()
    status, _processed, _failure, customers, staged, _emails = _state(app, job_id)
    if status == "committing":
        assert customers + staged == ROWS  # every row either moved or still staged, none lost or doubled
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            assert customers == 0  # one transaction there: nothing visible until it commits
    consumer.start()
    wait_for(lambda: _state(app, job_id)[0] == "done", what="the resumed import", timeout=120)
    assert _state(app, job_id)[3:] == (ROWS, 0, ROWS)


@pytest.mark.parametrize("duplicates", ["skip", "update"])
def test_the_same_import_twice_gives_the_same_directory(app, shop, make_employee, duplicates):
    owner = make_employee("owner")
    rows = [["First Name", "Email", "Notes"], ["Ana", "ana@example.com", "Allergie : noix"],
            ["Bob", "bob@example.com", ""]]
    with app.app_context():
        employee = db.session.get(Employee, owner)
        for _ in range(2):
            job = importing.start_upload(csv_bytes(rows), employee=employee)
            job.settings = {**job.settings, "duplicates": duplicates}
            importing.queue(job)
            db.session.commit()
            importing.run_import(job.id)
        customers = db.session.execute(select(Customer.first_name, Customer.comments).order_by(Customer.id)).all()
    assert customers == [("Ana", "Allergie : noix"), ("Bob", None)]


def test_the_till_keeps_selling_while_an_import_is_written(app, shop, make_employee, signed_in, real_queue):
    """A cashier records sales while a real consumer imports: every sale goes
    through, and some go through between two chunks of the write (the import
    never holds the database's write lock for its whole write)."""
    import statistics
    import threading
    import time

    from tests.support_sales import sale_form
    job_id = _job(app, make_employee)
    cashier = signed_in("cashier")
    consumer = real_queue()
    _enqueue(job_id)
    consumer.start()
    outcomes: list[tuple[int, str, float]] = []
    done = threading.Event()

    def sell():
        while not done.is_set():
            started = time.perf_counter()
            response = cashier.post("/sales/new", data=sale_form(shop["location_id"]))
            elapsed = time.perf_counter() - started
            outcomes.append((response.status_code, _state(app, job_id)[0], elapsed))
            time.sleep(0.05)

    seller = threading.Thread(target=sell)
    seller.start()
    try:
        wait_for(lambda: _state(app, job_id)[0] in ("done", "failed"), what="the import", timeout=180)
    finally:
        done.set()
        seller.join(60)
    assert _state(app, job_id)[0] == "done"
    assert outcomes and all(status < 400 for status, _phase, _elapsed in outcomes), outcomes[:5]
    assert any(phase == "committing" for _status, phase, _elapsed in outcomes)
    times = sorted(elapsed for _status, _phase, elapsed in outcomes)
    print(f"\nsales during the import: {len(times)}, median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
