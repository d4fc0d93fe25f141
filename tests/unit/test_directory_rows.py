"""The directory's page as light records (customers/light_rows.py) and their
rows as an employee may see them (permissions.row_views): the order of the
ids, each customer's first linked number and groups, the levels and masks of
customer_view, a marketing sign-up's details masked."""
import pytest

from blueprints.customers import consent
from blueprints.customers.light_rows import page_records
from core.permissions import customer_view, row_views
from models import Customer, Employee
from tests.support_customers_data import add_to_group, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")

MASKED = {"customers.email.masked", "customers.phone.masked", "customers.address.masked"}
VIEWING = {"customers.email.view", "customers.phone.view", "customers.address.view"}


def test_records_keep_the_ids_order_and_leave_out_a_missing_customer(db_session, make_customer):
    ids = [make_customer(first_name=name) for name in ("Zoé", "Anne", "Marc")]
    records = page_records([ids[2], 999_999, ids[0], ids[1]])
    assert [record.id for record in records] == [ids[2], ids[0], ids[1]]
    assert [record.display_name for record in records] == ["Marc Martin", "Zoé Martin", "Anne Martin"]
    assert page_records([]) == []


def test_a_record_holds_the_first_linked_number_and_the_groups_by_name(db_session, make_customer):
    customer_id = make_customer(phones=["06 11 11 11 11", "06 22 22 22 22", "06 33 33 33 33"])
    nobody = make_customer(first_name="Sans")
    customer = db_session.get(Customer, customer_id)
    customer.phones[0].linked = False  # an old number
    add_to_group("Voisins", customer_id)
    add_to_group("Étudiants", customer_id)
    add_to_group("Amis", customer_id)
    db_session.commit()
    record, bare = page_records([customer_id, nobody])
    assert [phone.display for phone in record.phones] == ["06 22 22 22 22"]
    assert list(record.groups) == sorted(record.groups) and set(record.groups) == {"Voisins", "Étudiants", "Amis"}
    assert (bare.phones, bare.groups, bare.consents) == ((), (), ())


@pytest.mark.parametrize("capabilities", [set(), MASKED, VIEWING, {"customers.email.edit", "customers.phone.edit"}])
def test_a_row_shows_what_customer_view_shows(db_session, make_customer, make_employee, capabilities):
    employee = db_session.get(Employee, make_employee("custom", capabilities={"customers.basic", *capabilities}))
    ids = [make_customer(email="elodie@gmail.com", phones=["06 12 34 56 78"]),
           make_customer(first_name="Marius", email="m@inscription.fr", phones=["07 00 00 00 96"], origin="marketing")]
    consent.record_consent(db_session.get(Customer, ids[1]), "email_marketing", "yes", method="counter",
                           employee_id=employee.id)
    db_session.commit()
    for record, row in zip(page_records(ids), row_views(employee, page_records(ids)), strict=True):
        whole = customer_view(employee, db_session.get(Customer, record.id))
        linked = [phone.text for phone in whole.phones if phone.linked]
        assert row.email == whole.email
        assert row.phone == (linked[0] if linked else None)
        assert (row.id, row.display_name) == (whole.id, whole.display_name)


def test_a_marketing_sign_up_is_masked_for_a_set_that_may_only_view(db_session, make_customer, make_employee):
    employee = db_session.get(Employee, make_employee("custom", capabilities={"customers.basic", *VIEWING}))
    signed_up = make_customer(first_name="Marius", email="marius@inscription.fr", phones=["07 00 00 00 96"],
                              origin="marketing")
    consent.record_consent(db_session.get(Customer, signed_up), "sms_marketing", "yes", method="counter",
                           employee_id=employee.id)
    db_session.commit()
    (row,) = row_views(employee, page_records([signed_up]))
    assert row.email == "m•••@inscription.fr" and row.phone == "•• •• •• •• 96"


def test_a_field_the_employee_may_not_see_is_not_in_the_row(db_session, make_customer, make_employee):
    customer_id = make_customer(email="secret@exemple.fr", phones=["06 12 34 56 78"])
    employee = db_session.get(Employee, make_employee("custom", capabilities={"customers.basic"}))
    (row,) = row_views(employee, page_records([customer_id]))
    assert row.email is None and row.phone is None
    assert "secret" not in repr(row) and "78" not in repr(row)
