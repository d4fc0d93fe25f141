"""The directory's services without HTTP: the query round-trip, section
edits (version, permissions, phones), adding with duplicates, archiving."""
import pytest

from blueprints.customers.search_query import CustomerQuery, parse_filters


# --- CustomerQuery ------------------------------------------------------------

def test_query_round_trips_through_the_url_with_filters():
    args = {"q": "elo", "archived": "1", "sort": "-points", "page": "3", "group": "4", "location": "2",
            "item": "Croissant", "payment": "card", "card_brand": "visa", "card_last4": "4242",
            "period_from": "2025-01-01", "period_to": "2025-01-31", "period_on": "first_visit",
            "points_min": "-5", "points_max": "100", "origin": "card", "email_consent": "yes"}
    query = CustomerQuery.from_args(args)
    assert query.to_args() == {**args, "page": 3}
    assert CustomerQuery.from_args(query.to_args()) == query


def test_default_query_has_no_arguments():
    assert CustomerQuery.from_args({}).to_args() == {}


def test_malformed_filters_are_dropped():
    assert parse_filters({"group": "abc", "location": "0", "payment": "gold", "card_last4": "12a4",
                          "period_from": "2025-02-30", "points_min": "1e9", "origin": "mars",
                          "email_consent": "maybe", "item": "  ", "period_on": "first_visit"}) == {}


def test_period_on_last_visit_is_the_default_and_not_kept():
    assert parse_filters({"period_from": "2025-01-01", "period_on": "last_visit"}) == {"period_from": "2025-01-01"}


def test_filter_count_counts_a_range_once():
    query = CustomerQuery.from_args({"points_min": "1", "points_max": "5", "period_from": "2025-01-01",
                                     "period_to": "2025-02-01", "origin": "card"})
    assert query.filter_count == 3


# --- editing ---------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated for the request's language: give them one."""
    with app.test_request_context():
        yield


@pytest.fixture
def customer(db_session):
    from blueprints.customers.service import create_customer
    customer = create_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.com",
                               phones=["06 12 34 56 78"])
    db_session.commit()
    return customer


ALL = {"email", "phone", "address"}


def test_stale_version_is_refused_before_anything_changes(db_session, customer):
    from blueprints.customers.editing import StaleCustomerError, update_details
    with pytest.raises(StaleCustomerError):
        update_details(customer, version=customer.version + 1, first_name="X", last_name="Y")
    assert customer.first_name == "Élodie"


def test_a_save_bumps_the_version(db_session, customer):
    from blueprints.customers.editing import update_comments
    before = customer.version
    update_comments(customer, version=before, comments="Bonjour")
    db_session.commit()
    assert customer.version == before + 1


def test_a_save_with_no_change_writes_nothing(db_session, customer):
    from blueprints.customers.editing import update_details
    before = customer.version
    assert update_details(customer, version=before, first_name="Élodie", last_name="Dupont") == []
    db_session.commit()
    assert customer.version == before


def test_changing_only_a_phone_bumps_the_version(db_session, customer):
    """Phones are another table: the customer row must still change, or a
    stale form could overwrite the numbers unnoticed."""
    from blueprints.customers.editing import PhoneChange, update_contact
    before = customer.version
    phone = customer.phones[0]
    update_contact(customer, version=before, editable=ALL, region="FR",
                   phones=[PhoneChange(phone.id, "07 98 76 54 32", "phone")])
    db_session.commit()
    assert customer.version == before + 1 and customer.phones[0].e164 == "+33798765432"


def test_concurrent_save_in_another_session_makes_the_flush_fail(app, customer):
    """Two employees read version N; the first commits; the second's UPDATE
    (WHERE version = N) matches nothing and is refused."""
    from blueprints.customers.editing import StaleCustomerError, update_comments
    from extensions import db
    from models import Customer
    customer_id, version = customer.id, customer.version
    db.session.expire_all()
    mine = db.session.get(Customer, customer_id)
    assert mine.version == version
    with db.engine.begin() as connection:  # the other employee's transaction
        connection.exec_driver_sql("UPDATE customers SET comments = 'theirs', version = version + 1 WHERE id = ?"
                                   if db.engine.dialect.name == "sqlite" else
                                   "UPDATE customers SET comments = 'theirs', version = version + 1 WHERE id = %s",
                                   (customer_id,))
    with pytest.raises(StaleCustomerError):
        update_comments(mine, version=version, comments="mine")
    db.session.rollback()
    assert db.session.get(Customer, customer_id).comments == "theirs"


def test_email_not_editable_is_forbidden(db_session, customer):
    from blueprints.customers.editing import ForbiddenFieldError, update_contact
    with pytest.raises(ForbiddenFieldError):
        update_contact(customer, version=customer.version, editable={"phone"}, region="FR", email="x@example.com")


def test_phones_not_editable_are_forbidden(db_session, customer):
    from blueprints.customers.editing import ForbiddenFieldError, update_contact
    with pytest.raises(ForbiddenFieldError):
        update_contact(customer, version=customer.version, editable={"email"}, region="FR", phones=[])


def test_address_not_editable_is_forbidden(db_session, customer):
    from blueprints.customers.editing import ForbiddenFieldError, update_address
    with pytest.raises(ForbiddenFieldError):
        update_address(customer, version=customer.version, editable={"email", "phone"}, address_line1="x",
                       address_line2=None, postal_code=None, city=None, country=None)


def test_invalid_numbers_refuse_the_whole_save(db_session, customer):
    from blueprints.customers.editing import PhoneChange, update_contact
    from blueprints.customers.validation import FieldErrors
    with pytest.raises(FieldErrors) as refused:
        update_contact(customer, version=customer.version, editable=ALL, region="FR", email="new@example.com",
                       phones=[PhoneChange(None, "06 00", "new_phone-0"), PhoneChange(None, "0699", "new_phone-1")])
    assert set(refused.value.errors) == {"new_phone-0", "new_phone-1"}
    db_session.rollback()
    assert [phone.e164 for phone in customer.phones] == ["+33612345678"]


def test_overseas_mobile_is_normalised_with_the_fallback_region(db_session, customer):
    from blueprints.customers.editing import PhoneChange, update_contact
    update_contact(customer, version=customer.version, editable=ALL, region="FR",
                   phones=[PhoneChange(None, "0696 12 34 56", "new_phone-0")])
    assert "+596696123456" in [phone.e164 for phone in customer.phones]


def test_another_customers_phone_id_is_never_touched(db_session, customer):
    from blueprints.customers.editing import PhoneChange, update_contact
    from blueprints.customers.service import create_customer
    other = create_customer(first_name="Paul", phones=["07 81 11 11 11"])
    db_session.flush()
    update_contact(customer, version=customer.version, editable=ALL, region="FR",
                   phones=[PhoneChange(other.phones[0].id, "", "x", remove=True)])
    db_session.commit()
    assert [phone.e164 for phone in other.phones] == ["+33781111111"]


def test_email_is_syntax_checked_only(db_session, customer):
    from blueprints.customers.editing import update_contact
    update_contact(customer, version=customer.version, editable=ALL, region="FR",
                   email="someone@no-such-domain-zz9q.com")
    assert customer.email_key == "someone@no-such-domain-zz9q.com"


def test_audit_of_an_edit_holds_field_names_only(db_session, customer):
    from sqlalchemy import select

    from blueprints.customers.editing import update_contact
    from models import AuditEvent
    update_contact(customer, version=customer.version, editable=ALL, region="FR", email="secret@example.com")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "customer_updated")).one()
    assert event.details == {"fields": ["email"]} and "secret" not in str(event.details)


# --- adding ----------------------------------------------------------------------

def test_add_customer_warns_of_duplicates_then_creates_when_confirmed(db_session, customer):
    from blueprints.customers.adding import PossibleDuplicates, add_customer
    with pytest.raises(PossibleDuplicates) as warned:
        add_customer(editable=ALL, region="FR", first_name="ELODIE", last_name="dupont")
    assert [(d.id, d.reasons) for d in warned.value.duplicates] == [(customer.id, ["name"])]
    created = add_customer(editable=ALL, region="FR", first_name="ELODIE", last_name="dupont",
                           confirm_duplicates=True)
    assert created.id != customer.id and created.origin == "manual"


def test_duplicates_by_phone_in_another_format(db_session, customer):
    from blueprints.customers.adding import find_duplicates
    found = find_duplicates(first_name="Someone", e164s=["+33612345678"])
    assert [(d.id, d.reasons) for d in found] == [(customer.id, ["phone"])]


def test_add_customer_refuses_a_field_not_editable(db_session):
    from blueprints.customers.adding import add_customer
    from blueprints.customers.editing import ForbiddenFieldError
    with pytest.raises(ForbiddenFieldError):
        add_customer(editable=set(), region="FR", first_name="A", email="a@example.com")


# --- archiving -------------------------------------------------------------------

def test_archive_and_unarchive_write_audit_events(db_session, customer):
    from sqlalchemy import select

    from blueprints.customers.archiving import archive_customer, unarchive_customer
    from models import AuditEvent
    assert archive_customer(customer) is True and customer.archived
    assert archive_customer(customer) is False
    assert unarchive_customer(customer) is True and not customer.archived
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["customer_archived", "customer_unarchived"]


def test_ensure_can_join_sale_refuses_archived(db_session, customer):
    from blueprints.customers.service import ArchivedCustomerError, ensure_can_join_sale
    customer.archived = True
    with pytest.raises(ArchivedCustomerError):
        ensure_can_join_sale(customer)
