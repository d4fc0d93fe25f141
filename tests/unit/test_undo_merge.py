"""Undoing a merge (issue 15): the secondaries come back whole, the primary
gets its own values back except what changed since, and the snapshot lives
for the window only."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blueprints.customers import deletion, merging, undo_merge
from models import (AuditEvent, Customer, CustomerPurchase, Invoice, MergeSnapshot, MergeSnapshotCustomer, Phone,
                    PointsEntry, Reward, Sale)
from models.base import utcnow
from tests.support_customers_data import add_points, add_reward, add_sale, add_to_group, in_request, ledger_sum  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")


def merge(db_session, primary_id, secondary_ids) -> int:
    merging.merge_customers(primary_id, secondary_ids, employee_id=None)
    db_session.commit()
    db_session.expire_all()
    return undo_merge.live_snapshots(primary_id)[0].id


def undo(db_session, snapshot_id):
    result = undo_merge.undo(snapshot_id, employee_id=None)
    db_session.commit()
    db_session.expire_all()
    return result


def get(db_session, customer_id) -> Customer:
    return db_session.get(Customer, customer_id)


def test_undo_brings_the_secondary_back_whole(db_session, make_customer, shop):
    primary = make_customer(first_name="Élodie", last_name="Dupont", email=None, phones=["06 12 34 56 78"])
    secondary = make_customer(first_name="Elodie", last_name="Dupond", email="elo@example.com",
                              phones=["06 12 34 56 78", "06 98 76 54 32"], comments="Aime le seigle",
                              birthday=date(1990, 5, 17))
    sale = add_sale(secondary, shop["location_id"], 800, invoice=True, items=(("Seigle", 1, 800),))
    reward = add_reward(secondary)
    add_points(secondary, 40)
    add_points(primary, 10)
    group = add_to_group("VIP", secondary)
    db_session.commit()
    snapshot_id = merge(db_session, primary, [secondary])
    assert get(db_session, primary).email == "elo@example.com"
    assert len(get(db_session, secondary).phones) == 0

    result = undo(db_session, snapshot_id)

    back, kept = get(db_session, secondary), get(db_session, primary)
    assert (back.archived, back.merged_into_id) == (False, None)
    assert (back.email, back.comments, back.birthday) == ("elo@example.com", "Aime le seigle", date(1990, 5, 17))
    assert sorted(p.e164 for p in back.phones) == ["+33612345678", "+33698765432"]
    assert [p.e164 for p in kept.phones] == ["+33612345678"]
    assert db_session.get(Sale, sale).customer_id == secondary
    assert db_session.scalar(select(Invoice.customer_id).where(Invoice.sale_id == sale)) == secondary
    assert db_session.get(Reward, reward).customer_id == secondary
    assert db_session.scalar(select(CustomerPurchase.customer_id).where(CustomerPurchase.sale_id == sale)) == secondary
    assert (back.points_balance, kept.points_balance) == (40, 10)
    assert ledger_sum(secondary) == 40 and ledger_sum(primary) == 10
    assert (back.visit_count, back.total_spent_cents, kept.visit_count) == (1, 800, 0)
    assert [g.id for g in back.groups] == [group] and kept.groups == []
    assert (kept.email, kept.comments, kept.birthday) == (None, None, None)  # the primary's own values
    assert result.fields_kept == [] and result.phones_not_returned == 0 and result.points_not_returned == 0
    assert db_session.get(MergeSnapshot, snapshot_id) is None  # personal data goes with the undo


def test_undo_keeps_a_field_of_the_primary_edited_since_and_says_so(db_session, make_customer):
    primary = make_customer(first_name="Léa", last_name="Petit", email=None, tax_id=None)
    secondary = make_customer(first_name="Lea", last_name="Petit", email="lea@example.com", tax_id="FR333")
    snapshot_id = merge(db_session, primary, [secondary])
    edited = get(db_session, primary)
    edited.email = "lea.petit@example.com"  # an edit after the merge
    db_session.commit()

    result = undo(db_session, snapshot_id)

    kept = get(db_session, primary)
    assert kept.email == "lea.petit@example.com"  # not lost
    assert kept.tax_id is None  # unchanged since: back to the primary's own (empty) value
    assert result.fields_kept == ["email"]
    assert get(db_session, secondary).email == "lea@example.com"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "merge_undone"))
    assert event.details["fields_kept"] == ["email"] and event.target_id == primary
    assert "lea" not in str(event.details)


def test_a_sale_and_points_of_the_primary_since_stay_with_the_primary(db_session, make_customer, shop):
    primary, secondary = make_customer(first_name="Jo"), make_customer(first_name="Jo")
    add_points(secondary, 50)
    db_session.commit()
    snapshot_id = merge(db_session, primary, [secondary])
    later_sale = add_sale(primary, shop["location_id"], 300)
    from blueprints.loyalty.points import change_balance
    change_balance(primary, -30, kind="redeem", employee_id=None)  # spends points the secondary brought
    db_session.commit()

    result = undo(db_session, snapshot_id)

    assert db_session.get(Sale, later_sale).customer_id == primary
    assert get(db_session, primary).visit_count == 1
    assert result.points_not_returned == 30
    assert (get(db_session, primary).points_balance, get(db_session, secondary).points_balance) == (0, 20)
    assert ledger_sum(primary) == 0 and ledger_sum(secondary) == 20


def test_a_phone_removed_from_the_primary_since_is_reported_not_returned(db_session, make_customer):
    primary = make_customer(first_name="Ana")
    secondary = make_customer(first_name="Ana", phones=["06 11 22 33 44"])
    snapshot_id = merge(db_session, primary, [secondary])
    db_session.execute(Phone.__table__.delete().where(Phone.customer_id == primary))
    db_session.commit()
    result = undo(db_session, snapshot_id)
    assert result.phones_not_returned == 1
    assert get(db_session, secondary).archived is False


def test_undo_of_several_secondaries_restores_each_ledger(db_session, make_customer):
    primary = make_customer(first_name="P")
    a, b = make_customer(first_name="A"), make_customer(first_name="B")
    add_points(a, 5)
    add_points(b, 7)
    db_session.commit()
    snapshot_id = merge(db_session, primary, [a, b])
    assert get(db_session, primary).points_balance == 12
    undo(db_session, snapshot_id)
    assert [get(db_session, i).points_balance for i in (primary, a, b)] == [0, 5, 7]
    assert get(db_session, primary).loyalty_member is False  # it only became a member by the merge
    assert get(db_session, a).loyalty_member and get(db_session, b).loyalty_member


def test_an_earlier_merge_waits_for_the_later_one_to_be_undone(db_session, make_customer):
    primary, a, b = make_customer(first_name="P"), make_customer(first_name="A"), make_customer(first_name="B")
    first = merge(db_session, primary, [a])
    second = merge(db_session, primary, [b])
    with pytest.raises(undo_merge.UndoMergeError):
        undo_merge.undo(first, employee_id=None)
    db_session.rollback()
    undo(db_session, second)
    undo(db_session, first)
    assert not get(db_session, a).archived and not get(db_session, b).archived


def test_the_window_ends_after_undo_days_and_the_sweep_deletes_the_snapshot(db_session, make_customer, app):
    primary, secondary = make_customer(first_name="P"), make_customer(first_name="S")
    snapshot_id = merge(db_session, primary, [secondary])
    snapshot = db_session.get(MergeSnapshot, snapshot_id)
    assert snapshot.expires_at - snapshot.created_at == timedelta(days=app.config["UNDO_DAYS"])
    assert undo_merge.sweep_expired() == 0
    later = utcnow() + timedelta(days=app.config["UNDO_DAYS"], hours=1)
    assert undo_merge.get_live(snapshot_id, now=later) is None
    assert undo_merge.sweep_expired(now=later) == 1
    assert db_session.scalar(select(func.count()).select_from(MergeSnapshot)) == 0
    assert db_session.scalar(select(func.count()).select_from(MergeSnapshotCustomer)) == 0
    with pytest.raises(LookupError):
        undo_merge.undo(snapshot_id, employee_id=None)


@pytest.mark.parametrize("deleted", ["primary", "secondary"])
def test_deleting_either_customer_deletes_the_snapshot_at_once(db_session, make_customer, deleted):
    primary = make_customer(first_name="P", email=None)
    secondary = make_customer(first_name="S", email="s@example.com")
    snapshot_id = merge(db_session, primary, [secondary])
    target = get(db_session, primary if deleted == "primary" else secondary)
    target.archived = True
    db_session.commit()
    deletion.delete_customer(target.id, employee_id=None, confirmed=True)
    db_session.commit()
    assert db_session.get(MergeSnapshot, snapshot_id) is None
    assert db_session.scalar(select(func.count()).select_from(MergeSnapshotCustomer)) == 0


def test_the_merge_audit_names_the_snapshot_and_no_value(db_session, make_customer):
    primary, secondary = make_customer(first_name="P"), make_customer(first_name="S")
    snapshot_id = merge(db_session, primary, [secondary])
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_merged"))
    assert event.details["snapshot_id"] == snapshot_id


def test_points_entries_of_the_secondary_are_its_own_again(db_session, make_customer):
    primary, secondary = make_customer(first_name="P"), make_customer(first_name="S")
    add_points(secondary, 9)
    db_session.commit()
    entry_id = db_session.scalar(select(PointsEntry.id).where(PointsEntry.customer_id == secondary))
    snapshot_id = merge(db_session, primary, [secondary])
    assert db_session.get(PointsEntry, entry_id).customer_id == primary
    undo(db_session, snapshot_id)
    assert db_session.get(PointsEntry, entry_id).customer_id == secondary


def test_the_hourly_task_sweeps_expired_snapshots_and_previous_values(db_session, make_customer, app, monkeypatch):
    from blueprints.customers import tasks
    primary, secondary = make_customer(first_name="P"), make_customer(first_name="S")
    monkeypatch.setitem(app.config, "UNDO_DAYS", 1)  # the window is configurable
    snapshot_id = merge(db_session, primary, [secondary])
    snapshot = db_session.get(MergeSnapshot, snapshot_id)
    assert snapshot.expires_at - snapshot.created_at == timedelta(days=1)
    snapshot.expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    tasks.sweep_undo_windows()
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(MergeSnapshot)) == 0
