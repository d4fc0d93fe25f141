"""Deleting a customer's data (seeds 000/001): anonymisation in place, without HTTP."""
import pytest
from sqlalchemy import select

from blueprints.customers import deletion, merging
from models import (AuditEvent, Customer, Phone, PointsEntry, Reward, Sale,
                    customer_groups)
from tests.support_customers_data import (add_points, add_reward, add_sale, add_to_group, in_request,  # noqa: F401
                                          ledger_sum)

pytestmark = pytest.mark.usefixtures("in_request")


def person(make_customer, **extra):
    return make_customer(first_name="Gaëlle", last_name="Le Goff", email="gaelle@example.com",
                         phones=["06 22 33 44 55"], address_line1="4 rue du Port", postal_code="29200",
                         city="Brest", country="FR", comments="Préfère le beurre salé", tax_id="FR123",
                         card_match_key="gaelle le goff|visa|4242", **extra)


def delete(db_session, customer_id, confirmed=True):
    ids = deletion.delete_customer(customer_id, employee_id=None, confirmed=confirmed)
    db_session.commit()
    db_session.expire_all()
    return ids


def test_delete_refuses_a_customer_who_is_not_archived(db_session, make_customer):
    customer_id = person(make_customer)
    with pytest.raises(deletion.DeletionError):
        deletion.delete_customer(customer_id, employee_id=None, confirmed=True)
    db_session.rollback()
    assert db_session.get(Customer, customer_id).first_name == "Gaëlle"


def test_delete_needs_the_warning_to_be_acknowledged(db_session, make_customer):
    customer_id = person(make_customer, archived=True)
    with pytest.raises(deletion.DeletionError) as refused:
        deletion.delete_customer(customer_id, employee_id=None, confirmed=False)
    assert refused.value.field == "confirm"
    db_session.rollback()
    assert not db_session.get(Customer, customer_id).anonymised


# Text columns of customers that hold a choice from a fixed list, not a value a person gave.
NOT_PERSONAL_TEXT = {"account_profile", "origin"}


def test_delete_scrubs_every_personal_column_and_key(db_session, make_customer):
    """Read from the schema, not from the deletion module's own list: a text or
    date column added later is personal until this test is told otherwise."""
    from sqlalchemy import Date, DateTime, String, Text
    customer_id = person(make_customer, archived=True)
    db_session.execute(Customer.__table__.update().where(Customer.id == customer_id)
                       .values(account_profile="vip", card_match_key="gaelle-x"))
    db_session.commit()
    delete(db_session, customer_id)
    customer = db_session.get(Customer, customer_id)
    personal = [column.key for column in Customer.__table__.columns
                if isinstance(column.type, (String, Text, Date)) and not isinstance(column.type, DateTime)
                and column.key not in NOT_PERSONAL_TEXT]
    assert {"first_name", "email", "tax_id", "birthday", "comments", "name_key"} <= set(personal)
    for column in personal:
        assert getattr(customer, column) in (None, ""), column
    assert customer.anonymised and customer.anonymised_at is not None
    assert deletion.anonymised_label(customer_id) == f"Client anonymisé #{customer_id}"


def test_delete_removes_phones_groups_and_search_terms(db_session, make_customer):
    customer_id = person(make_customer, archived=True)
    add_to_group("Habitués", customer_id)
    db_session.commit()
    delete(db_session, customer_id)
    assert db_session.scalar(select(Phone).where(Phone.customer_id == customer_id)) is None
    assert db_session.execute(select(customer_groups).where(customer_groups.c.customer_id == customer_id)).first() is None
    documents = db_session.execute(select(Customer.name_search, Customer.email_search, Customer.phone_search)
                                   .where(Customer.id == customer_id)).one()
    assert tuple(documents) == ("", "", "")


def test_delete_keeps_the_activity_under_the_anonymised_id(db_session, make_customer, shop):
    customer_id = person(make_customer)
    sale_id = add_sale(customer_id, shop["location_id"], card_holder_name="GAELLE LE GOFF")
    add_points(customer_id, 30, reason="Anniversaire de Gaëlle")
    reward_id = add_reward(customer_id)
    db_session.get(Customer, customer_id).archived = True
    db_session.commit()
    delete(db_session, customer_id)
    sale = db_session.get(Sale, sale_id)
    assert sale.customer_id == customer_id and sale.card_holder_name is None
    assert sale.card_last4 == "4242"  # payment data kept (chargebacks, seed 000)
    assert db_session.get(Reward, reward_id).customer_id == customer_id
    entries = db_session.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer_id)).all()
    assert [e.delta for e in entries] == [30] and entries[0].reason is None
    assert db_session.get(Customer, customer_id).points_balance == ledger_sum(customer_id) == 30


def test_delete_also_anonymises_the_records_merged_into_the_customer(db_session, make_customer):
    primary = person(make_customer)
    secondary = make_customer(first_name="Gaelle", last_name="Legoff", email="g.legoff@example.com")
    merging.merge_customers(primary, [secondary], employee_id=None)
    db_session.get(Customer, primary).archived = True
    db_session.commit()
    ids = delete(db_session, primary)
    assert ids == [primary, secondary]
    old = db_session.get(Customer, secondary)
    assert old.anonymised and old.first_name is None and old.email is None


def test_delete_writes_an_audit_event_with_the_id_only(db_session, make_customer):
    customer_id = person(make_customer, archived=True)
    delete(db_session, customer_id)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_deleted"))
    assert (event.target_type, event.target_id, event.count) == ("customer", customer_id, 1)
    assert not event.details


def test_a_deleted_customer_cannot_be_deleted_again(db_session, make_customer):
    customer_id = person(make_customer, archived=True)
    delete(db_session, customer_id)
    with pytest.raises(LookupError):
        deletion.delete_customer(customer_id, employee_id=None, confirmed=True)


def test_purge_freed_pages_checkpoints_sqlite(db_session):
    assert deletion.purge_freed_pages() is True
