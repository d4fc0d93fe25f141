"""Importing: detection, mapping and row reading, without HTTP."""
from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.customers import importing
from models import Customer, Employee, ImportJob
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
                       "email_marketing", "comments", ""]


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
    def states(cell):
        return [(c["purpose"], c["state"]) for c in parse(["first_name", "email_marketing"], ["A", cell]).consents]
    assert states("Subscribed") == [("email_marketing", "yes")]
    assert states("unsubscribed") == [("email_marketing", "no")]
    assert states("oui") == [("email_marketing", "yes")]
    # Never asked, or nothing said: no decision is recorded, the state stays unknown.
    assert states("not subscribed") == states("") == states("Inconnu") == []


def test_read_upload_counts_rows_and_skips_blank_lines():
    _text, info = importing.read_upload(b"First Name;Email\r\nAna;a@x.fr\r\n;\r\n\r\nBob;b@x.fr\r\n")
    assert (info.delimiter, info.headers, info.total_rows) == (";", ["First Name", "Email"], 2)


@pytest.mark.parametrize("data", [b"", b"First Name\n", b"PK\x03\x04rest", b"%PDF-1.7 ...", b"\x00\x00abc"])
def test_read_upload_refusals(data):
    with pytest.raises(importing.ImportRefused):
        importing.read_upload(data)


def _upload(db_session, make_employee, rows) -> ImportJob:
    from models import Employee
    employee = db_session.get(Employee, make_employee("owner"))
    job = importing.start_upload(csv_bytes(rows), employee=employee)
    db_session.commit()
    return job


def _run(db_session, job, **settings) -> ImportJob:
    job.settings = {**job.settings, **settings}
    importing.queue(job)
    db_session.commit()
    return importing.run_import(job.id)


def test_run_import_all_or_nothing_then_valid_only(db_session, make_employee):
    job = _upload(db_session, make_employee, [["First Name", "Email"], ["A", "a@example.com"], ["", "nope"]])
    assert _run(db_session, job).status == "refused"
    assert db_session.scalar(select(func.count()).select_from(Customer)) == 0
    assert importing.has_upload(job.id)  # kept for a new try
    done = _run(db_session, job, valid_only=True)
    assert (done.status, done.created_count, done.rejected_count) == ("done", 1, 1)
    assert not importing.has_upload(job.id)


def test_the_upload_is_kept_in_the_database_in_pieces(db_session, make_employee, monkeypatch):
    from blueprints.customers.importing import uploads
    monkeypatch.setattr(uploads, "UPLOAD_PIECE", 50)
    rows = [["First Name", "Email"]] + [[f"Client{i}", f"c{i}@example.com"] for i in range(20)]
    job = _upload(db_session, make_employee, rows)
    from models import ImportUpload
    pieces = db_session.scalar(select(func.count()).select_from(ImportUpload).where(ImportUpload.job_id == job.id))
    assert pieces > 5
    assert importing.upload_text(job.id) == csv_bytes(rows).decode("utf-8-sig")
    assert _run(db_session, job).created_count == 20


def test_a_run_twice_gives_the_same_result(db_session, make_employee):
    job = _upload(db_session, make_employee, [["First Name", "Email"], ["A", "a@example.com"]])
    _run(db_session, job)
    assert importing.run_import(job.id).status == "done"  # a duplicate delivery of the task
    assert db_session.scalar(select(func.count()).select_from(Customer)) == 1


def test_stale_uploads_are_swept(db_session, make_employee):
    from datetime import timedelta

    from models.base import utcnow
    old = _upload(db_session, make_employee, [["First Name"], ["Old"]])
    fresh = importing.start_upload(csv_bytes([["First Name"], ["New"]]), employee=db_session.get(
        __import__("models").Employee, old.employee_id))
    old.created_at = utcnow() - timedelta(days=2)
    db_session.commit()
    assert importing.sweep_uploads() == 1
    assert not importing.has_upload(old.id) and importing.has_upload(fresh.id)
    assert db_session.get(ImportJob, old.id).status == "cancelled"


def test_import_job_report_holds_codes_not_values(db_session, make_employee):
    job = _upload(db_session, make_employee, [["First Name", "Email"], ["Secretname", "secret@@x"]])
    _run(db_session, job)
    stored = db_session.get(ImportJob, job.id)
    assert "secret" not in str(stored.report).lower()


def test_a_commit_cut_short_is_resumed_without_writing_a_row_twice(db_session, make_employee):
    """A worker that died between two chunks of the move: the next one moves
    what is still staged, and only that."""
    from blueprints.customers.importing import committing, staging
    from models import ImportStagedRow
    rows = [["First Name", "Email"]] + [[f"Client{i}", f"c{i}@example.com"] for i in range(50)]
    job = _upload(db_session, make_employee, rows)
    job.settings = {**job.settings}
    importing.queue(job)
    db_session.commit()
    parser = importing.RowParser(job.settings["mapping"], "FR")
    stager = staging.Stager(job.id, "skip")
    stager.stage([parser.parse(line, cells) for line, cells in
                  importing.iter_rows(importing.upload_text(job.id), ",")])
    job.status, job.worker = "committing", "dead-host:1"
    assert committing.apply_staged(job.id, 20) == (20, 20, 0)
    job.processed_rows, job.created_count = 20, 20
    db_session.commit()  # ... and the worker dies here
    job.worker = None  # what recover() does for a dead worker
    db_session.commit()
    done = importing.run_import(job.id)
    assert (done.status, done.created_count) == ("done", 50)
    assert db_session.scalar(select(func.count()).select_from(Customer)) == 50
    assert db_session.scalar(select(func.count(func.distinct(Customer.email_key)))) == 50
    assert db_session.scalar(select(func.count()).select_from(ImportStagedRow)) == 0


def test_recover_fails_a_dead_check_and_hands_back_a_dead_commit(db_session, make_employee):
    from datetime import timedelta

    from models.base import utcnow
    checking = _upload(db_session, make_employee, [["First Name"], ["Ana"]])
    committing = importing.start_upload(csv_bytes([["First Name"], ["Bob"]]),
                                        employee=db_session.get(__import__("models").Employee, checking.employee_id))
    alive = importing.start_upload(csv_bytes([["First Name"], ["Cy"]]),
                                   employee=db_session.get(__import__("models").Employee, checking.employee_id))
    long_ago = utcnow() - timedelta(hours=1)
    checking.status, checking.worker, checking.heartbeat_at = "checking", "other-server:1", long_ago
    committing.status, committing.worker, committing.heartbeat_at = "committing", "other-server:2", long_ago
    alive.status, alive.worker, alive.heartbeat_at = "checking", "other-server:3", utcnow()
    db_session.commit()
    assert importing.recover() == [committing.id]
    assert (checking.status, checking.failure) == ("failed", "worker_died")
    assert importing.has_upload(checking.id)  # kept for the retry
    assert committing.status == "committing" and committing.worker is None
    assert alive.status == "checking"


def test_the_upload_is_read_back_line_by_line_across_its_pieces(db_session, make_employee, monkeypatch):
    """A piece may end inside a line, inside a quoted cell or between "\\r" and "\\n"."""
    from blueprints.customers.importing import uploads
    rows = [["First Name", "Notes"]] + [[f"Client{i}", "deux\r\nlignes" if i % 3 else "une"] for i in range(40)]
    data = csv_bytes(rows)
    expected = list(importing.iter_rows(data.decode("utf-8-sig"), ","))
    job = None
    for piece in (7, 13, 50):
        monkeypatch.setattr(uploads, "UPLOAD_PIECE", piece)
        if job is None:
            job = _upload(db_session, make_employee, rows)
        else:  # the same employee uploads again, in other pieces
            job = importing.start_upload(data, employee=db_session.get(Employee, job.employee_id))
        assert list(importing.iter_rows(uploads.upload_lines(job.id), ",")) == expected
