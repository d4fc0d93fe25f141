"""Consent per purpose, with proof (issue 15): the rules of consent.py, without
HTTP. Merge, its undo, an import's undo and a deletion carry the decisions."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.customers import (
    consent,
    deletion,
    importing,
    merging,
    undo_import,
    undo_merge,
)
from models import AuditEvent, ConsentEvent, Customer, CustomerConsent, Employee
from models.base import utcnow
from tests.support_customers_data import csv_bytes, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")


def states(db_session, customer_id) -> dict:
    db_session.expire_all()
    return {s.purpose: s.state for s in consent.current_states(db_session.get(Customer, customer_id))}


def decide(db_session, customer_id, purpose, state, at=None, **proof):
    proof.setdefault("method", "legacy")
    event = consent.record_consent(db_session.get(Customer, customer_id), purpose, state, at=at, **proof)
    db_session.commit()
    return event


# --- the states -------------------------------------------------------------------

def test_every_purpose_is_unknown_until_decided(db_session, make_customer):
    customer_id = make_customer()
    assert states(db_session, customer_id) == {
        "email_marketing": "unknown", "sms_marketing": "unknown", "e_receipts": "unknown"}


def test_a_decision_and_its_withdrawal_are_both_kept_the_newest_is_the_state(db_session, make_customer,
                                                                             make_employee):
    customer_id = make_customer()
    employee_id = make_employee("owner")
    decide(db_session, customer_id, "email_marketing", "yes", method="counter", employee_id=employee_id,
           text_shown=consent.question("email_marketing"))
    assert states(db_session, customer_id)["email_marketing"] == "yes"
    decide(db_session, customer_id, "email_marketing", "no", method="request", employee_id=employee_id)
    assert states(db_session, customer_id) == {
        "email_marketing": "no", "sms_marketing": "unknown", "e_receipts": "unknown"}
    history = consent.history(customer_id)
    assert [(h.event.state, h.event.method) for h in history] == [("no", "request"), ("yes", "counter")]
    assert history[1].event.text_shown.startswith("Acceptez-vous de recevoir nos offres")
    assert history[1].employee_name  # by which employee
    assert history[0].event.recorded_at >= history[1].event.recorded_at


def test_the_newest_decision_wins_whatever_the_order_of_recording(db_session, make_customer):
    customer_id = make_customer()
    now = utcnow()
    decide(db_session, customer_id, "sms_marketing", "yes", at=now)
    decide(db_session, customer_id, "sms_marketing", "no", at=now - timedelta(days=30))  # an older one, later
    assert states(db_session, customer_id)["sms_marketing"] == "yes"
    row = db_session.get(CustomerConsent, (customer_id, "sms_marketing"))
    assert row.changed_at == now


def test_a_decision_can_be_reset_to_unknown(db_session, make_customer):
    customer_id = make_customer()
    decide(db_session, customer_id, "email_marketing", "yes")
    decide(db_session, customer_id, "email_marketing", "unknown")
    assert states(db_session, customer_id)["email_marketing"] == "unknown"


@pytest.mark.parametrize("purpose, state, method, field", [
    ("newsletter", "yes", "counter", "purpose"),
    ("email_marketing", "maybe", "counter", "state"),
    ("email_marketing", "yes", "telepathy", "method"),
])
def test_bad_values_are_refused(db_session, make_customer, make_employee, purpose, state, method, field):
    customer = db_session.get(Customer, make_customer())
    with pytest.raises(consent.ConsentError) as refused:
        consent.record_consent(customer, purpose, state, method=method, employee_id=make_employee("owner"))
    assert refused.value.field == field


def test_the_proof_is_required_for_each_way(db_session, make_customer):
    customer = db_session.get(Customer, make_customer())
    with pytest.raises(consent.ConsentError):  # at the counter: by which employee
        consent.record_consent(customer, "email_marketing", "yes", method="counter")
    with pytest.raises(consent.ConsentError):  # by import: which file and which column
        consent.record_consent(customer, "email_marketing", "yes", method="import", source_file="a.csv")
    assert db_session.scalar(select(func.count()).select_from(ConsentEvent)) == 0


def test_e_receipts_is_a_service_message_not_marketing(db_session, make_customer):
    customer_id = make_customer(origin="marketing")
    decide(db_session, customer_id, "e_receipts", "yes")
    customer = db_session.get(Customer, customer_id)
    assert not consent.is_subscribed(customer)
    decide(db_session, customer_id, "sms_marketing", "yes")
    assert consent.is_subscribed(db_session.get(Customer, customer_id))


def test_a_counter_decision_is_audited_with_codes_only(db_session, make_customer, make_employee):
    customer_id = make_customer(first_name="Ondine")
    decide(db_session, customer_id, "email_marketing", "yes", method="counter", employee_id=make_employee("owner"),
           text_shown="Ondine dit oui")
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "consent_recorded"))
    assert event.target_id == customer_id
    assert event.details == {"purpose": "email_marketing", "state": "yes", "method": "counter"}


def test_who_may_be_contacted_takes_only_a_yes(db_session, make_customer):
    yes, no, unknown, receipts = (make_customer(first_name=name) for name in ("Oui", "Non", "Rien", "Reçu"))
    decide(db_session, yes, "email_marketing", "yes")
    decide(db_session, no, "email_marketing", "no")
    decide(db_session, receipts, "e_receipts", "yes")

    def picked(state):
        return set(db_session.scalars(select(Customer.id).where(consent.condition("email_marketing", state))))
    assert picked("yes") == {yes}
    assert picked("no") == {no}
    assert picked("unknown") == {unknown, receipts}


# --- merge and its undo --------------------------------------------------------------

def test_a_merge_keeps_both_histories_and_the_newest_decision_per_purpose(db_session, make_customer):
    primary = make_customer(first_name="Élodie")
    secondary = make_customer(first_name="Elodie")
    now = utcnow()
    decide(db_session, primary, "email_marketing", "yes", at=now - timedelta(days=10))
    decide(db_session, secondary, "email_marketing", "no", at=now - timedelta(days=1))  # newer: wins
    decide(db_session, primary, "sms_marketing", "yes", at=now - timedelta(days=1))
    decide(db_session, secondary, "sms_marketing", "no", at=now - timedelta(days=20))  # older: loses
    decide(db_session, secondary, "e_receipts", "yes", at=now - timedelta(days=5))  # only the secondary's

    merging.merge_customers(primary, [secondary], employee_id=None)
    db_session.commit()

    assert states(db_session, primary) == {"email_marketing": "no", "sms_marketing": "yes", "e_receipts": "yes"}
    assert len(consent.history(primary)) == 5
    assert states(db_session, secondary) == {
        "email_marketing": "unknown", "sms_marketing": "unknown", "e_receipts": "unknown"}

    # Since the merge, the primary withdraws SMS; the undo leaves that with the primary.
    decide(db_session, primary, "sms_marketing", "no")
    snapshot_id = undo_merge.live_snapshots(primary)[0].id
    undo_merge.undo(snapshot_id, employee_id=None)
    db_session.commit()

    assert states(db_session, primary) == {"email_marketing": "yes", "sms_marketing": "no", "e_receipts": "unknown"}
    assert states(db_session, secondary) == {"email_marketing": "no", "sms_marketing": "no", "e_receipts": "yes"}
    assert len(consent.history(primary)) == 3 and len(consent.history(secondary)) == 3


# --- an import and its undo ------------------------------------------------------------

def test_an_import_records_the_file_and_column_and_its_undo_takes_them_back(db_session, make_employee,
                                                                            make_customer):
    existing = make_customer(first_name="Marie", email="marie@example.com")
    decide(db_session, existing, "email_marketing", "no", at=utcnow() - timedelta(days=400))
    employee = db_session.get(Employee, make_employee("owner"))
    job = importing.start_upload(csv_bytes([
        ["First Name", "Email", "Accepts Email Marketing", "Accepts SMS Marketing"],
        ["Marie", "marie@example.com", "yes", ""],
        ["Nouvelle", "new@example.com", "no", "yes"]]), employee=employee, filename="shopify-clients.csv")
    job.settings = {**job.settings, "duplicates": "update"}
    importing.queue(job)
    db_session.commit()
    job = importing.run_import(job.id)
    assert job.status == "done"
    new = db_session.scalar(select(Customer.id).where(Customer.email == "new@example.com"))
    assert states(db_session, existing)["email_marketing"] == "yes"
    assert states(db_session, new) == {"email_marketing": "no", "sms_marketing": "yes", "e_receipts": "unknown"}
    proof = db_session.scalar(select(ConsentEvent).where(ConsentEvent.customer_id == existing,
                                                         ConsentEvent.method == "import"))
    assert (proof.source_file, proof.source_column, proof.text_shown, proof.import_job_id) == (
        "shopify-clients.csv", "Accepts Email Marketing", "yes", job.id)

    undo_import.request_undo(job, job.employee_id)
    db_session.commit()
    undo_import.run_undo(job.id)
    db_session.expire_all()
    assert states(db_session, existing)["email_marketing"] == "no"  # back to the decision before the import
    assert db_session.scalar(select(func.count()).select_from(ConsentEvent)
                             .where(ConsentEvent.import_job_id == job.id)) == 0


# --- deletion ---------------------------------------------------------------------

def test_deletion_forgets_every_decision_and_state(db_session, make_customer):
    customer_id = make_customer(archived=True)
    other = make_customer(first_name="Autre")
    decide(db_session, customer_id, "email_marketing", "yes", method="import", source_file="x.csv",
           source_column="Consent")
    decide(db_session, other, "email_marketing", "yes")
    deletion.delete_customer(customer_id, employee_id=None, confirmed=True)
    db_session.commit()
    for model in (ConsentEvent, CustomerConsent):
        assert db_session.scalar(select(func.count()).select_from(model)
                                 .where(model.customer_id == customer_id)) == 0
    assert states(db_session, other)["email_marketing"] == "yes"  # nobody else's


# --- the migration ---------------------------------------------------------------------

def test_the_migration_carries_the_old_checkboxes_over_and_back(app, make_customer):
    """Down to before the history (the checkboxes come back from the states),
    tick boxes the old way, up again: a ticked box is a "legacy" yes, an
    unticked one stays unknown, a deleted customer gets nothing."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from extensions import db
    from tests.conftest import ROOT
    subscribed, receipts, nothing, deleted = (make_customer(first_name=name) for name in ("A", "B", "C", "D"))
    with app.app_context():
        consent.record_consent(db.session.get(Customer, subscribed), "email_marketing", "yes", method="legacy")
        db.session.commit()
        db.session.remove()
        migrations = str(ROOT / "migrations")
        downgrade(directory=migrations, revision="d15a00000001")
        try:
            with db.engine.begin() as connection:
                flags = dict(connection.execute(text("SELECT id, marketing_consent FROM customers")).all())
                assert bool(flags[subscribed]) and not bool(flags[nothing])
                connection.execute(text("UPDATE customers SET email_notifications = :yes WHERE id IN (:r, :d)"),
                                   {"yes": True, "r": receipts, "d": deleted})
                connection.execute(text("UPDATE customers SET anonymised = :yes WHERE id = :d"),
                                   {"yes": True, "d": deleted})
        finally:
            upgrade(directory=migrations)
        columns = {c["name"] for c in inspect(db.engine).get_columns("customers")}
        assert not {"email_notifications", "marketing_consent"} & columns
        found = sorted(db.session.execute(select(ConsentEvent.customer_id, ConsentEvent.purpose, ConsentEvent.state,
                                                 ConsentEvent.method)).all())
        assert found == [(subscribed, "email_marketing", "yes", "legacy"), (receipts, "e_receipts", "yes", "legacy")]
        current = sorted(db.session.execute(select(CustomerConsent.customer_id, CustomerConsent.purpose,
                                                   CustomerConsent.state)).all())
        assert current == [(subscribed, "email_marketing", "yes"), (receipts, "e_receipts", "yes")]
