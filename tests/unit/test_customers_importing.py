"""Importing: detection, mapping and row reading, without HTTP."""
from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.customers import importing
from models import Customer, ImportJob
from tests.support_customers_data import csv_bytes, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")

EVERYTHING = list(importing.TARGETS)


def test_decode_detects_bom_utf8_utf16_and_windows_1252():
    assert importing.decode("\ufeffÉlodie".encode("utf-8")) == ("Élodie", "utf-8-sig")
    assert importing.decode("Élodie".encode("utf-8")) == ("Élodie", "utf-8")
    assert importing.decode("Élodie".encode("utf-16")) == ("Élodie", "utf-16")
    assert importing.decode("Élodie Œuvray".encode("cp1252")) == ("Élodie Œuvray", "cp1252")


@pytest.mark.parametrize("text, delimiter", [
    ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1,5;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("only\nx\n", ","),
    ('"Nom, complet";Ville\n"Roy, Jean";Paris\n', ";"),
])
def test_delimiter_is_detected(text, delimiter):
    assert importing.detect_delimiter(text) == delimiter


def test_auto_mapping_knows_comptoir_square_shopify_and_lightspeed_headers():
    mapping = importing.auto_mapping(
        ["Prénom", "Nom de famille", "Courriel", "Email Address", "Surname", "Default Address Zip", "ZIP",
         "Phone 1", "Mobile", "Accepts Email Marketing", "Memo", "Square Customer ID"], EVERYTHING)
    assert mapping == ["first_name", "last_name", "email", "", "", "postal_code", "", "phone", "phone",
                       "marketing_consent", "comments", ""]


def test_auto_mapping_leaves_out_fields_the_employee_may_not_edit():
    assert importing.auto_mapping(["First Name", "Email"], ["first_name"]) == ["first_name", ""]


def test_check_mapping_needs_a_name_an_email_or_a_phone():
    assert importing.check_mapping(["", "city"], EVERYTHING)
    assert importing.check_mapping(["email", ""], EVERYTHING) == []
    assert importing.check_mapping(["phone", "city"], EVERYTHING) == []


def parse(mapping, cells, region="FR"):
    return importing.RowParser(mapping, region).parse(2, cells)


def test_row_full_name_is_split_into_first_and_last_name():
    row = parse(["full_name"], ["Jean-Pierre de la Tour"])
    assert (row.values["first_name"], row.values["last_name"]) == ("Jean-Pierre", "de la Tour")


def test_row_cells_neutralised_by_an_export_are_read_back():
    row = parse(["phone", "tax_id"], ["'+33612345678", "'=FR1"])
    assert row.phones == [("+33612345678", "+33612345678")] and row.values["tax_id"] == "=FR1"


def test_row_phones_of_several_columns_and_separators_without_repeats():
    row = parse(["phone", "phone"], ["06 12 34 56 78 / 07 81 22 33 44", "+33612345678"])
    assert [e164 for _raw, e164 in row.phones] == ["+33612345678", "+33781223344"]


def test_row_overseas_mobile_is_normalised():
    assert parse(["first_name", "phone"], ["Ana", "0692 12 34 56"]).phones[0][1] == "+262692123456"


@pytest.mark.parametrize("text, expected", [("1990-05-17", date(1990, 5, 17)), ("17/05/1990", date(1990, 5, 17)),
                                            ("17.05.1990", date(1990, 5, 17)), ("05/17/1990", date(1990, 5, 17)),
                                            ("1990-05-17T00:00:00", date(1990, 5, 17))])
def test_row_birthday_formats(text, expected):
    row = parse(["first_name", "birthday"], ["A", text])
    assert (row.values["birthday"], row.values["birthday_month"], row.values["birthday_day"]) == (expected, None, None)


@pytest.mark.parametrize("text, code", [("France", "FR"), ("fr", "FR"), ("Allemagne", "DE"), ("Germany", "DE")])
def test_row_country_names_and_codes(text, code):
    assert parse(["first_name", "country"], ["A", text]).values["country"] == code


@pytest.mark.parametrize("cells, errors, warnings", [
    (["", "bad@", ""], ["no_identity"], [("email", "invalid_email")]),
    (["A", "bad@", ""], [], [("email", "invalid_email")]),
    (["A", "", "12"], [], [("phone", "invalid_phone")]),
    (["", "", "0612345678"], [], []),
    (["", "", ""], ["no_identity"], []),
    (["x" * 101, "a@example.com", ""], [], [("first_name", "too_long:first_name")]),
    (["A", "", "", "extra"], ["broken_line"], []),
    (["A", ""], ["broken_line"], []),
    (["A", "", "", ""], [], []),
])
def test_row_is_refused_only_when_broken_or_anonymous(cells, errors, warnings):
    row = parse(["first_name", "email", "phone"], cells)
    assert (row.errors, row.warnings) == (errors, warnings)


def test_row_consent_words():
    assert parse(["first_name", "marketing_consent"], ["A", "Subscribed"]).values["marketing_consent"] is True
    assert parse(["first_name", "marketing_consent"], ["A", "unsubscribed"]).values["marketing_consent"] is False
    assert parse(["first_name", "marketing_consent"], ["A", "oui"]).values["marketing_consent"] is True


def test_read_upload_counts_rows_and_skips_blank_lines():
    _text, info = importing.read_upload(b"First Name;Email\r\nAna;a@x.fr\r\n;\r\n\r\nBob;b@x.fr\r\n")
    assert (info.delimiter, info.headers, info.total_rows) == (";", ["First Name", "Email"], 2)


@pytest.mark.parametrize("data", [b"", b"First Name\n", b"PK\x03\x04rest", b"%PDF-1.7 ...", b"\x00\x00abc"])
def test_read_upload_refusals(data):
    with pytest.raises(importing.ImportRefused):
        importing.read_upload(data)


def test_run_import_all_or_nothing_then_valid_only(db_session, make_employee, tmp_path):
    from models import Employee
    employee = db_session.get(Employee, make_employee("owner"))
    job = importing.start_upload(csv_bytes([["First Name", "Email"], ["A", "a@example.com"], ["", "nope"]]),
                                 employee=employee, base=tmp_path)
    db_session.commit()
    assert importing.run_import(job.id, tmp_path).status == "refused"
    assert db_session.scalar(select(func.count()).select_from(Customer)) == 0
    settings = importing.load_settings(tmp_path, job.id)
    importing.save_settings(tmp_path, job.id, {**settings, "valid_only": True})
    done = importing.run_import(job.id, tmp_path)
    assert (done.status, done.created_count, done.rejected_count) == ("done", 1, 1)
    assert not importing.has_upload(tmp_path, job.id)


def test_stale_uploads_are_swept(tmp_path):
    import os
    folder = importing.imports_dir(tmp_path)
    old = folder / "7.csv"
    old.write_text("x")
    os.utime(old, (0, 0))
    fresh = folder / "8.csv"
    fresh.write_text("y")
    assert importing.sweep_stale_uploads(tmp_path) == 1
    assert not old.exists() and fresh.exists()


def test_import_job_report_holds_codes_not_values(db_session, make_employee, tmp_path):
    from models import Employee
    employee = db_session.get(Employee, make_employee("owner"))
    job = importing.start_upload(csv_bytes([["First Name", "Email"], ["Secretname", "secret@@x"]]),
                                 employee=employee, base=tmp_path)
    db_session.commit()
    importing.run_import(job.id, tmp_path)
    stored = db_session.get(ImportJob, job.id)
    assert "secret" not in str(stored.report).lower()
