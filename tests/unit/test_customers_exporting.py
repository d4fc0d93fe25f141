"""Exporting: cell neutralising, money, and batched reading, without HTTP."""
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.customers import export_cells, export_list
from blueprints.customers.search import customer_select
from blueprints.customers.search_query import CustomerQuery
from extensions import db
from models import Employee
from tests.support_customers_data import add_to_group, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")


@pytest.mark.parametrize("text", ["=1+1", "+33612345678", "-5", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x"])
def test_neutralise_prefixes_every_formula_start(text):
    assert export_cells.neutralise(text) == "'" + text


@pytest.mark.parametrize("value, expected", [("Élodie", "Élodie"), ("a=b", "a=b"), (None, ""), (42, "42"),
                                             (-7, "-7"), (date(2024, 2, 29), "2024-02-29")])
def test_neutralise_leaves_ordinary_values_and_our_numbers(value, expected):
    assert export_cells.neutralise(value) == expected


def test_money_is_written_with_two_decimals():
    assert [export_cells.money(c) for c in (0, 5, 1250, -199)] == ["0.00", "0.05", "12.50", "-1.99"]


def test_csv_lines_start_with_a_bom_and_use_crlf():
    text = "".join(export_cells.csv_lines([["a", "b"], ["=x", "y"]]))
    assert text == "\ufeffa,b\r\n'=x,y\r\n"


def test_list_rows_reads_in_batches_and_keeps_each_customers_phones_and_groups(
        db_session, make_customer, make_employee):
    ids = [make_customer(first_name=f"C{i}", phones=[f"06 12 34 56 7{i}"]) for i in range(5)]
    add_to_group("VIP", ids[3])
    db_session.commit()
    employee = db_session.get(Employee, make_employee("owner"))
    stmt = customer_select(employee, CustomerQuery(sort="name"))
    rows = list(export_list.list_rows(export_list.snapshot(employee), stmt, batch=2))
    header, body = rows[0], rows[1:]
    assert [r[1] for r in body] == [f"C{i}" for i in range(5)]
    assert [r[header.index("Téléphone")] for r in body] == [f"+3361234567{i}" for i in range(5)]
    assert [r[header.index("Groupes")] for r in body] == [None, None, None, "VIP", None]


def test_count_rows_counts_the_select(db_session, make_customer, make_employee):
    for index in range(3):
        make_customer(first_name=f"N{index}")
    employee = db_session.get(Employee, make_employee("owner"))
    assert export_list.count_rows(customer_select(employee, CustomerQuery())) == 3


def test_snapshot_gives_the_same_permissions_as_the_employee(db_session, make_employee):
    from core.permissions import field_level
    employee = db_session.get(Employee, make_employee("cashier"))
    copy = export_list.snapshot(employee)
    db.session.expunge_all()
    assert field_level(copy, "email") == "none"
    manager = db_session.scalar(select(Employee).where(Employee.id == make_employee("manager", email="m@x.example")))
    assert field_level(export_list.snapshot(manager), "email") == "edit"


def test_dates_are_written_in_the_shop_time_zone_across_a_clock_change():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    paris = ZoneInfo("Europe/Paris")
    # Stored as naive UTC; on 2025-03-30 Paris moved from UTC+1 to UTC+2 at 01:00 UTC.
    assert export_cells.local_text(datetime(2025, 1, 15, 23, 30), paris) == "2025-01-16 00:30"
    assert export_cells.local_text(datetime(2025, 3, 30, 0, 59), paris) == "2025-03-30 01:59"
    assert export_cells.local_text(datetime(2025, 3, 30, 1, 0), paris) == "2025-03-30 03:00"
    assert export_cells.local_text(datetime(2025, 7, 1, 12, 5, 59), paris) == "2025-07-01 14:05"
    assert export_cells.local_text(datetime(2025, 10, 26, 0, 30), paris) == "2025-10-26 02:30"  # still summer time
    assert export_cells.local_text(datetime(2025, 10, 26, 1, 30), paris) == "2025-10-26 02:30"  # winter again


@pytest.mark.parametrize("levels", [None, ("view", "view", "view"), ("masked", "masked", "masked"),
                                    ("edit", "view", "masked")])
@pytest.mark.parametrize("delimiter, decimal", [(",", "."), (";", ",")])
def test_the_csv_written_column_by_column_is_csv_lines_of_the_rows(
        db_session, make_customer, make_employee, levels, delimiter, decimal):
    """list_csv neutralises and writes each batch column by column: the same
    bytes as csv_lines over list_rows' rows, for every kind of cell."""
    from datetime import datetime

    from blueprints.customers.consent import record_consent
    from models import Customer
    tricky = make_customer(first_name="=cmd", last_name="-Dupont", email="e@x.example", comments="+33 note",
                           phones=["06 12 34 56 78", "+41786736195", "chez Mme Durand"], tax_id="@x",
                           birthday_month=4, birthday_day=17, total_spent_cents=-199, visit_count=3,
                           first_visit_at=datetime(2025, 3, 30, 0, 59), last_visit_at=datetime(2025, 10, 26, 1, 30),
                           address_line1="2 rue Nord", postal_code="14000", city="Caen", country="FR")
    signed_up = make_customer(first_name="Zoé", email="zoe@example.com", phones=["07 81 22 33 44"],
                              address_line1="5 quai Sud", city="Brest", origin="marketing",
                              birthday=date(1990, 4, 17))
    make_customer(first_name=None, last_name=None, company="Sans nom")
    add_to_group("VIP", tricky)
    add_to_group("Amis", tricky, signed_up)
    for customer_id, purpose in ((signed_up, "email_marketing"), (tricky, "e_receipts")):
        record_consent(db_session.get(Customer, customer_id), purpose, "yes", method="legacy")
    db_session.commit()
    if levels is None:
        employee = db_session.get(Employee, make_employee("owner"))
    else:
        capabilities = {f"customers.{name}.{level}" for name, level in zip(("email", "phone", "address"), levels)}
        employee = db_session.get(Employee, make_employee("custom", capabilities=capabilities | {"customers.export"}))
    viewer = export_list.snapshot(employee)
    stmt = customer_select(employee, CustomerQuery(sort="name"))
    by_rows = "".join(export_cells.csv_lines(export_list.list_rows(viewer, stmt, batch=2, decimal=decimal), delimiter))
    by_columns = "".join(export_list.list_csv(viewer, stmt, delimiter, decimal, batch=2))
    assert by_columns == by_rows
    assert by_rows.count("\r\n") == 4
