"""Automatic anonymisation (issue 15): who is due, the monthly rhythm, the
notice, "keep", batches each in its own transaction, one audit row a run."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update

from blueprints.customers import anonymising, deletion, merging
from models import AuditEvent, Customer, PointsEntry, Sale, ShopSettings
from tests.support_customers_data import add_points, add_sale, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")

LONG_AGO = datetime(2019, 5, 4, 10, 0)
RUN_DAY = date(2027, 1, 1)  # cutoff for 3 years: 2024-01-01


def enable(db_session, years=3, starts_on=date(2026, 12, 1)):
    settings = ShopSettings.get()
    settings.retention_enabled, settings.retention_years, settings.retention_starts_on = True, years, starts_on
    db_session.commit()


def backdate(db_session, customer_id, at=LONG_AGO, visit=None):
    db_session.execute(update(Customer).where(Customer.id == customer_id)
                       .values(created_at=at, updated_at=at, last_visit_at=visit))
    db_session.execute(update(PointsEntry).where(PointsEntry.customer_id == customer_id).values(created_at=at))
    db_session.commit()


def old_customer(db_session, make_customer, **fields) -> int:
    customer_id = make_customer(**fields)
    backdate(db_session, customer_id)
    return customer_id


def test_cutoff_is_the_first_of_the_month_n_years_before():
    assert anonymising.cutoff_for(date(2027, 3, 17), 3) == datetime(2024, 3, 1)
    assert anonymising.starts_on_after(date(2026, 12, 1)) == date(2027, 1, 1)
    assert anonymising.starts_on_after(date(2026, 12, 2)) == date(2027, 1, 1)  # 30 days to the day
    assert anonymising.starts_on_after(date(2026, 12, 3)) == date(2027, 2, 1)


def test_run_anonymises_the_inactive_and_keeps_the_active(db_session, make_customer, shop):
    enable(db_session)
    idle = old_customer(db_session, make_customer, first_name="Oubliée", email="oubliee@example.com",
                        phones=["06 11 22 33 44"])
    edited = old_customer(db_session, make_customer, first_name="Modifiée")
    db_session.execute(update(Customer).where(Customer.id == edited).values(updated_at=datetime(2024, 6, 1)))
    db_session.commit()
    visited = old_customer(db_session, make_customer, first_name="Venue")
    db_session.execute(update(Customer).where(Customer.id == visited).values(last_visit_at=datetime(2025, 1, 1)))
    db_session.commit()
    with_points = old_customer(db_session, make_customer, first_name="Points")
    add_points(with_points, 5)
    db_session.execute(update(Customer).where(Customer.id == with_points).values(updated_at=LONG_AGO))
    db_session.commit()
    recent = make_customer(first_name="Nouvelle")
    db_session.commit()

    assert anonymising.run(RUN_DAY) == 1
    db_session.expire_all()
    gone = db_session.get(Customer, idle)
    assert gone.anonymised and gone.first_name is None and gone.email is None and not gone.phones
    for kept in (edited, visited, with_points, recent):
        assert not db_session.get(Customer, kept).anonymised


def test_run_does_nothing_while_off_or_before_the_first_run(db_session, make_customer, shop):
    customer_id = old_customer(db_session, make_customer)
    assert anonymising.run(RUN_DAY) == 0  # off by default
    enable(db_session, starts_on=date(2027, 2, 1))
    assert anonymising.run(RUN_DAY) == 0
    assert not db_session.get(Customer, customer_id).anonymised
    assert anonymising.run(date(2027, 2, 1)) == 1


def test_the_setting_is_off_until_confirmed_and_the_first_run_is_a_month_later(db_session, shop):
    settings = ShopSettings.get()
    assert (settings.retention_enabled, settings.retention_years) == (False, 3)
    starts_on = anonymising.confirm(2, seen_count=12, employee_id=None, today=date(2026, 12, 15))
    db_session.commit()
    assert starts_on == date(2027, 2, 1)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "retention_enabled"))
    assert event.count == 12 and event.details == {"years": 2}
    with pytest.raises(anonymising.RetentionError):
        anonymising.confirm(0, seen_count=0, employee_id=None)


def test_sales_stay_under_the_anonymised_id(db_session, make_customer, shop):
    enable(db_session)
    customer_id = make_customer(first_name="Ancienne")
    sale_id = add_sale(customer_id, shop["location_id"], card_holder_name="A ANCIENNE")
    db_session.execute(update(Sale).where(Sale.id == sale_id).values(created_at=LONG_AGO))
    db_session.commit()
    backdate(db_session, customer_id, visit=LONG_AGO)
    assert anonymising.run(RUN_DAY) == 1
    sale = db_session.get(Sale, sale_id)
    assert sale.customer_id == customer_id and sale.card_holder_name is None and sale.total_cents == 1250


def test_records_merged_into_a_due_customer_go_with_them(db_session, make_customer, shop):
    enable(db_session)
    primary = make_customer(first_name="Paule")
    secondary = make_customer(first_name="Paula")
    merging.merge_customers(primary, [secondary], employee_id=None)
    db_session.commit()
    backdate(db_session, primary)
    db_session.execute(update(Customer).where(Customer.id == secondary).values(updated_at=datetime(2025, 1, 1)))
    db_session.commit()
    assert anonymising.run(RUN_DAY) == 2
    assert db_session.get(Customer, secondary).anonymised and db_session.get(Customer, secondary).first_name is None


def test_one_audit_row_per_run_with_the_count_and_no_personal_value(db_session, make_customer, shop):
    enable(db_session)
    for index in range(5):
        old_customer(db_session, make_customer, first_name=f"Zénobie{index}")
    assert anonymising.run(RUN_DAY, batch=2) == 5
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "customers_auto_anonymised")).all()
    assert [(e.count, e.employee_id) for e in events] == [(5, None)]
    assert "zénobie" not in str(events[0].details).lower()
    assert anonymising.run(RUN_DAY) == 0  # idempotent: nobody left
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "customers_auto_anonymised")) == 1


def test_a_run_killed_between_batches_leaves_whole_batches_and_the_count_right(
        db_session, make_customer, shop, monkeypatch):
    enable(db_session)
    ids = [old_customer(db_session, make_customer, first_name=f"Lot{index}") for index in range(5)]
    real = deletion.anonymise
    calls = []

    def dies_in_the_second_batch(batch_ids):
        calls.append(batch_ids)
        real(batch_ids)  # the batch's statements run...
        if len(calls) == 2:
            raise SystemExit("killed")  # ...and the process dies before its commit

    monkeypatch.setattr(deletion, "anonymise", dies_in_the_second_batch)
    with pytest.raises(SystemExit):
        anonymising.run(RUN_DAY, batch=2)
    db_session.rollback()
    db_session.expire_all()
    states = [db_session.get(Customer, i) for i in ids]
    assert [c.anonymised for c in states] == [True, True, False, False, False]
    assert all(c.first_name for c in states[2:])  # the dead batch left nothing half-written
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_auto_anonymised"))
    assert event.count == 2

    monkeypatch.setattr(deletion, "anonymise", real)
    assert anonymising.run(RUN_DAY, batch=2) == 3  # the next run goes on
    assert all(db_session.get(Customer, i).anonymised for i in ids)


def test_the_notice_lists_the_next_run_in_the_month_before(db_session, make_customer, shop):
    enable(db_session)
    due = old_customer(db_session, make_customer, first_name="Bientôt")
    make_customer(first_name="Active")
    settings = ShopSettings.get()
    assert anonymising.upcoming(settings, today=date(2026, 10, 20)) is None  # more than a month before
    notice = anonymising.upcoming(settings, today=date(2026, 12, 10))
    assert notice.run_on == RUN_DAY and notice.count == 1 and [c.id for c in notice.customers] == [due]


def test_keep_counts_as_activity_and_is_audited(db_session, make_customer, shop):
    enable(db_session)
    customer_id = old_customer(db_session, make_customer, first_name="Fidèle")
    anonymising.keep(db_session.get(Customer, customer_id), employee_id=None)
    db_session.commit()
    assert anonymising.upcoming(ShopSettings.get(), today=date(2026, 12, 10)).count == 0
    assert anonymising.run(RUN_DAY) == 0 and not db_session.get(Customer, customer_id).anonymised
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_kept"))
    assert event.target_id == customer_id
