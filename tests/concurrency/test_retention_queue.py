"""The retention job through the real queue path: the periodic task enqueued
as Huey's scheduler enqueues it, run by a real consumer process (`flask jobs`)."""
from datetime import date, datetime

from sqlalchemy import select, update

from extensions import db
from models import AuditEvent, Customer, ShopSettings
from tests.concurrency.conftest import wait_for


def test_the_periodic_task_anonymises_through_a_real_consumer(app, make_customer, real_queue):
    idle = [make_customer(first_name=f"Dormant{index}", email=f"dormant{index}@example.com") for index in range(3)]
    active = make_customer(first_name="Active")
    with app.app_context():
        db.session.execute(update(Customer).where(Customer.id.in_(idle)).values(
            created_at=datetime(2015, 1, 1), updated_at=datetime(2015, 1, 1)))
        settings = ShopSettings.get()
        settings.retention_enabled, settings.retention_starts_on = True, date(2020, 1, 1)
        db.session.commit()
    consumer = real_queue()
    from blueprints.customers import tasks
    tasks.anonymise_inactive_customers()  # into the queue file, as the scheduler would
    consumer.start()

    def done():
        with app.app_context():
            return db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_auto_anonymised"))
    event = wait_for(done, what="the run's audit row", timeout=90)
    assert event.count == 3 and event.employee_id is None
    with app.app_context():
        assert all(db.session.get(Customer, i).anonymised for i in idle)
        assert all(db.session.get(Customer, i).first_name is None for i in idle)
        assert not db.session.get(Customer, active).anonymised
