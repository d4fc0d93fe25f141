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
    rows = list(export_list.list_rows(export_list.snapshot(employee), stmt, "FR", batch=2))
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
