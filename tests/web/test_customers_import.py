"""Importing customers from CSV through the pages: detection, mapping (automatic
for Comptoir, Square, Shopify and Lightspeed; by hand otherwise), preview with
errors, duplicates, all-or-nothing, refusals, progress, report, audit."""
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blueprints.customers import importing
from extensions import db
from models import AuditEvent, Customer, ImportJob, Phone
from tests.support_customers_data import csv_bytes, read_csv

SQUARE = ["Reference ID", "First Name", "Surname", "Email Address", "Phone Number", "Nickname", "Company Name",
          "Street Address 1", "Street Address 2", "City", "State", "Postal Code", "Birthday", "Memo",
          "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count",
          "Total Spend", "Email Subscription Status"]
SHOPIFY = ["First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
           "Default Address Address1", "Default Address Address2", "Default Address City",
           "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
           "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders", "Note",
           "Tax Exempt", "Tags"]
LIGHTSPEED = ["Customer ID", "First Name", "Last Name", "Title", "Company", "Birthday", "Address 1", "Address 2",
              "City", "State", "ZIP", "Country", "Phone 1", "Mobile", "Email", "Email 2", "Note"]


def upload(client, data: bytes, filename: str = "clients.csv"):
    return client.post("/customers/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def upload_ok(client, data: bytes) -> int:
    response = upload(client, data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def run(client, job_id: int, **options) -> str:
    options.setdefault("duplicates", "skip")
    response = client.post(f"/customers/import/{job_id}/run", data=options)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def job(app, job_id: int) -> ImportJob:
    with app.app_context():
        found = db.session.get(ImportJob, job_id)
        found.report  # noqa: B018 - deferred: loaded before the job leaves the session
        db.session.expunge(found)
        return found


def proofs(app) -> list[tuple]:
    """Every consent decision: purpose, state, method, file, column."""
    from models import ConsentEvent
    with app.app_context():
        return sorted(db.session.execute(select(ConsentEvent.purpose, ConsentEvent.state, ConsentEvent.method,
                                                ConsentEvent.source_file, ConsentEvent.source_column)).all())


def customers(app) -> list[Customer]:
    with app.app_context():
        found = list(db.session.scalars(select(Customer).order_by(Customer.id)))
        for customer in found:
            _ = customer.phones, customer.groups, customer.consents
        db.session.expunge_all()
        return found


def mapping_of(html: str) -> dict[str, str]:
    """Header -> selected target, as the mapping page shows it."""
    result = {}
    for header, select_html in re.findall(r'<label for="map-\d+">([^<]*)</label></th>\s*<td>\s*(<select.*?</select>)',
                                         html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select_html)
        result[header] = chosen.group(1) if chosen else ""
    return result


# --- automatic mapping -------------------------------------------------------

def test_square_export_is_mapped_and_imported(app, signed_in, shop):
    client = signed_in("owner")
    row = ["R1", "Élodie", "Dupont", "elodie@example.com", "06 12 34 56 78", "", "", "3 rue Neuve", "Bât. B",
           "Rennes", "", "35000", "1990-05-17", "Aime le pain", "SQ1", "", "", "", "3", "12.00", "subscribed"]
    job_id = upload_ok(client, csv_bytes([SQUARE, row]))
    mapping = mapping_of(client.get(f"/customers/import/{job_id}").get_data(as_text=True))
    assert mapping["First Name"] == "first_name" and mapping["Surname"] == "last_name"
    assert mapping["Email Address"] == "email" and mapping["Phone Number"] == "phone"
    assert mapping["Street Address 1"] == "address_line1" and mapping["Postal Code"] == "postal_code"
    assert mapping["Birthday"] == "birthday" and mapping["Memo"] == "comments"
    assert mapping["Square Customer ID"] == "" and mapping["Total Spend"] == ""
    html = run(client, job_id)
    assert 'data-count="created">1<' in html
    (customer,) = customers(app)
    assert (customer.first_name, customer.last_name, customer.email) == ("Élodie", "Dupont", "elodie@example.com")
    assert [p.e164 for p in customer.phones] == ["+33612345678"]
    assert (customer.address_line1, customer.address_line2, customer.city, customer.postal_code) == \
        ("3 rue Neuve", "Bât. B", "Rennes", "35000")
    assert customer.birthday.isoformat() == "1990-05-17" and customer.comments == "Aime le pain"
    assert customer.origin == "import"
    assert proofs(app) == [("email_marketing", "yes", "import", "clients.csv", "Email Subscription Status")]


def test_shopify_export_is_mapped_and_imported(app, signed_in, shop):
    client = signed_in("owner")
    row = ["Marc", "Petit", "marc@example.com", "no", "", "10 quai Sud", "", "Lyon", "", "FR", "69002",
           "+33 4 72 00 00 00", "06 98 76 54 32", "no", "0.00", "0", "Client pro", "no", "VIP, Pro"]
    job_id = upload_ok(client, csv_bytes([SHOPIFY, row]))
    mapping = mapping_of(client.get(f"/customers/import/{job_id}").get_data(as_text=True))
    assert mapping["Default Address Phone"] == "phone" and mapping["Phone"] == "phone"
    assert mapping["Default Address Country Code"] == "country" and mapping["Tags"] == "groups"
    run(client, job_id)
    (customer,) = customers(app)
    assert sorted(p.e164 for p in customer.phones) == ["+33472000000", "+33698765432"]
    assert customer.country == "FR" and customer.postal_code == "69002" and customer.comments == "Client pro"
    assert sorted(g.name for g in customer.groups) == ["Pro", "VIP"]
    assert proofs(app) == [("email_marketing", "no", "import", "clients.csv", "Accepts Email Marketing"),
                           ("sms_marketing", "no", "import", "clients.csv", "Accepts SMS Marketing")]


def test_lightspeed_export_is_mapped_and_imported(app, signed_in, shop):
    client = signed_in("owner")
    row = ["L1", "Anne", "Roux", "", "", "17/03/1985", "5 av. Foch", "", "Nice", "", "06000", "France",
           "04 93 00 00 00", "07 81 22 33 44", "anne@example.com", "", "Préfère le thé"]
    job_id = upload_ok(client, csv_bytes([LIGHTSPEED, row]))
    mapping = mapping_of(client.get(f"/customers/import/{job_id}").get_data(as_text=True))
    assert mapping["ZIP"] == "postal_code" and mapping["Phone 1"] == "phone" and mapping["Mobile"] == "phone"
    assert mapping["Email 2"] == "" and mapping["Customer ID"] == ""
    run(client, job_id)
    (customer,) = customers(app)
    assert customer.birthday.isoformat() == "1985-03-17" and customer.country == "FR"
    assert sorted(p.e164 for p in customer.phones) == ["+33493000000", "+33781223344"]


def test_comptoir_export_imports_back(app, signed_in, make_customer, shop):
    make_customer(first_name="Zoë", last_name="Œuvray", email="zoe@example.com",
                  phones=["06 12 34 56 78", "07 81 22 33 44"], address_line1="1 rue Haute", city="Nantes",
                  country="FR", tax_id="=FR42", comments="Note")
    client = signed_in("owner")
    exported = client.get("/customers/export").get_data()
    job_id = upload_ok(client, exported)
    html = run(client, job_id, duplicates="create")
    assert 'data-count="created">1<' in html
    original, imported = customers(app)
    for name in ("first_name", "last_name", "email", "address_line1", "city", "country", "tax_id", "comments"):
        assert getattr(imported, name) == getattr(original, name), name
    assert sorted(p.e164 for p in imported.phones) == sorted(p.e164 for p in original.phones)


# --- encodings and delimiters ----------------------------------------------

@pytest.mark.parametrize("encoding, bom", [("utf-8", True), ("utf-8", False), ("cp1252", False)])
def test_encodings_are_detected(app, signed_in, shop, encoding, bom):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["Prénom", "Nom"], ["Hélène", "Lefèvre"], ["François", "Œil"]],
                                         encoding=encoding, bom=bom))
    run(client, job_id)
    assert [(c.first_name, c.last_name) for c in customers(app)] == [("Hélène", "Lefèvre"), ("François", "Œil")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(app, signed_in, shop, delimiter):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name", "Last Name", "Note"], ["Jean", "Roy", "a, b; c"]],
                                         delimiter=delimiter))
    run(client, job_id)
    (customer,) = customers(app)
    assert (customer.first_name, customer.comments) == ("Jean", "a, b; c")


# --- manual mapping and preview ------------------------------------------------

def test_unknown_headers_are_mapped_by_hand(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["Col A", "Col B", "Col C"], ["Sam", "sam@example.com", "x"]]))
    html = client.get(f"/customers/import/{job_id}").get_data(as_text=True)
    assert set(mapping_of(html).values()) == {""}
    refused = client.post(f"/customers/import/{job_id}/run", data={"duplicates": "skip"})
    assert refused.status_code == 422 and "au moins une colonne" in refused.get_data(as_text=True)
    run(client, job_id, **{"map-0": "first_name", "map-1": "email", "map-2": ""})
    (customer,) = customers(app)
    assert (customer.first_name, customer.email, customer.comments) == ("Sam", "sam@example.com", None)


def test_two_columns_to_one_field_are_refused(signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["A", "B"], ["x", "y"]]))
    response = client.post(f"/customers/import/{job_id}/run",
                           data={"duplicates": "skip", "map-0": "first_name", "map-1": "first_name"})
    assert response.status_code == 422 and "même champ" in response.get_data(as_text=True)


def test_preview_shows_each_rows_errors(signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([
        ["First Name", "Last Name", "Email", "Phone"],
        ["Ok", "Row", "ok@example.com", "06 12 34 56 78"],
        ["", "", "not-an-email", ""],
        ["Bad", "Phone", "", "12"],
        ["", "", "", "06 12 34 56 79", "extra"],
    ]))
    html = client.get(f"/customers/import/{job_id}").get_data(as_text=True)
    assert "Ni nom, ni courriel, ni téléphone" in html and "Ligne mal formée" in html
    assert "2 lignes comportent des erreurs" in html
    fragment = client.htmx("get", f"/customers/import/{job_id}/preview?map-0=&map-1=last_name&map-2=&map-3=")
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Courriel invalide" not in text and "Ni nom, ni courriel, ni téléphone" in text


def test_preview_marks_rows_matching_existing_customers(signed_in, make_customer, shop):
    make_customer(email="deja@example.com")
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["Email", "First Name"], ["DEJA@example.com", "Déjà"]]))
    assert "même courriel" in client.get(f"/customers/import/{job_id}").get_data(as_text=True)


# --- all or nothing, duplicates ----------------------------------------------------

BAD_FILE = [["First Name", "Email"], ["Ana", "ana@example.com"], ["", "bob@@example"], ["Cyd", "cyd@example.com"]]


def test_a_file_with_a_bad_row_imports_nothing(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes(BAD_FILE))
    html = run(client, job_id)
    assert customers(app) == []
    finished = job(app, job_id)
    assert finished.status == "refused" and finished.created_count == 0
    assert finished.report == [{"line": 3, "outcome": "rejected", "reasons": ["no_identity"]}]
    assert "rien n’a été importé" in html and "Importer uniquement les lignes valides" in html


def test_valid_rows_only_imports_the_others_and_reports_the_refused_lines(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes(BAD_FILE))
    run(client, job_id)  # refused first, then the user ticks the option
    html = run(client, job_id, valid_only="1")
    assert [c.first_name for c in customers(app)] == ["Ana", "Cyd"]
    assert 'data-count="created">2<' in html and 'data-count="rejected">1<' in html
    assert "bob@@example" not in html


def test_duplicates_are_skipped_updated_or_created_as_chosen(app, signed_in, make_customer, shop):
    existing = make_customer(first_name="Old", email="same@example.com", phones=["06 12 34 56 78"])
    client = signed_in("owner")
    rows = [["First Name", "Email", "Phone", "City"],
            ["New", "SAME@example.com", "", "Brest"],
            ["Other", "", "+33612345678", "Paris"]]
    skip = run(client, upload_ok(client, csv_bytes(rows)), duplicates="skip")
    assert 'data-count="skipped">2<' in skip and len(customers(app)) == 1
    update = run(client, upload_ok(client, csv_bytes(rows)), duplicates="update")
    assert 'data-count="updated">2<' in update
    (updated,) = customers(app)
    assert updated.id == existing and updated.first_name == "Other" and updated.city == "Paris"
    create = run(client, upload_ok(client, csv_bytes(rows)), duplicates="create")
    assert 'data-count="created">2<' in create and len(customers(app)) == 3


def test_a_row_repeating_an_earlier_row_of_the_file_is_a_duplicate(app, signed_in, shop):
    client = signed_in("owner")
    rows = [["First Name", "Email"], ["Un", "twice@example.com"], ["Deux", "Twice@Example.com"]]
    job_id = upload_ok(client, csv_bytes(rows))
    run(client, job_id)
    assert [c.first_name for c in customers(app)] == ["Un"]
    assert job(app, job_id).report == [{"line": 3, "outcome": "skipped", "reasons": ["duplicate_in_file"]}]


def test_imported_customers_are_normalised_and_findable(app, signed_in, shop):
    client = signed_in("owner")
    run(client, upload_ok(client, csv_bytes([["Prénom", "Nom de famille", "Téléphone", "Courriel"],
                                             ["Chloé", "Bérard", "06.98.76.54.32", "Chloe@Example.COM"]])))
    (customer,) = customers(app)
    assert customer.email == "Chloe@example.com" and customer.email_key == "chloe@example.com"
    assert customer.phones[0].digits == "33698765432"
    assert (customer.name_search, customer.phone_search) == ("chloe berard chloeberard", "33698765432 0698765432")
    assert "Bérard" in client.get("/customers?q=berard").get_data(as_text=True)


# --- refusals -----------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (b"", "Le fichier est vide"),
    (b"   \r\n\r\n", "Le fichier est vide"),
    (b"First Name,Email\r\n", "que la ligne d"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "pas un fichier CSV"),
    (b"PK\x03\x04" + b"\x00" * 200, "classeur ou une archive"),
    (b"\x00\x01\x02\x03binary" * 50, "pas un fichier CSV"),
])
def test_files_that_are_not_usable_csv_are_refused_clearly(app, signed_in, shop, data, message):
    response = upload(signed_in("owner"), data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_file_over_the_import_limit_is_refused_with_a_message(signed_in, shop):
    data = b"First Name\r\n" + b"x" * (21 * 1024 * 1024)
    response = upload(signed_in("owner"), data)
    assert response.status_code == 422 and "dépasse 20 Mo" in response.get_data(as_text=True)


def test_a_50_mb_file_gets_the_too_large_page(signed_in, shop):
    response = upload(signed_in("owner"), b"a" * (50 * 1024 * 1024 + 1))
    assert response.status_code == 413 and "Fichier trop volumineux" in response.get_data(as_text=True)


def test_a_header_of_ten_thousand_columns_is_refused(signed_in, shop):
    data = (",".join(f"c{i}" for i in range(10_000)) + "\r\n" + ",".join("x" * 10_000) + "\r\n").encode()
    response = upload(signed_in("owner"), data)
    assert response.status_code == 422 and "10000 colonnes" in response.get_data(as_text=True).replace("\u202f", "").replace("\xa0", "")


def test_a_row_of_ten_thousand_columns_is_a_refused_row(app, signed_in, shop):
    client = signed_in("owner")
    data = b"First Name,Email\r\nAna,ana@example.com\r\n" + b"Bob," + b"x," * 10_000 + b"y\r\n"
    job_id = upload_ok(client, data)
    run(client, job_id, valid_only="1")
    assert [c.first_name for c in customers(app)] == ["Ana"]
    (entry,) = job(app, job_id).report
    assert entry["line"] == 3 and "broken_line" in entry["reasons"]


def test_no_file_chosen_is_a_message_beside_the_field(signed_in, shop):
    response = signed_in("owner").post("/customers/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)


# --- the file, the report, progress ----------------------------------------------------

def has_upload(app, job_id) -> bool:
    with app.app_context():
        return importing.has_upload(job_id)


def test_the_uploaded_file_waits_in_the_database_and_is_deleted_after_the_import(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name"], ["Ana"]]))
    assert has_upload(app, job_id)
    assert not list(Path(app.config["COMPTOIR_INSTANCE"]).glob("imports/*"))  # nothing on this server's disk
    run(client, job_id)
    assert not has_upload(app, job_id)


def test_cancelling_an_import_deletes_the_file(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name"], ["Ana"]]))
    response = client.post(f"/customers/import/{job_id}/cancel")
    assert response.status_code == 303
    assert not has_upload(app, job_id)
    assert job(app, job_id).status == "cancelled" and customers(app) == []


def test_the_report_downloads_as_csv_with_lines_and_reasons_only(app, signed_in, make_customer, shop):
    make_customer(email="dup@example.com")
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name", "Email"], ["Ok", "ok@example.com"],
                                          ["", "secret-value@@x"], ["Dup", "dup@example.com"]]))
    run(client, job_id, valid_only="1")
    response = client.get(f"/customers/import/{job_id}/report.csv")
    rows = read_csv(response.get_data())
    assert ["Créés", "1"] in rows and ["Refusés", "1"] in rows and ["Ignorés", "1"] in rows
    assert ["3", "Refusée", "Ni nom, ni courriel, ni téléphone"] in rows
    assert ["4", "Ignorée", "Déjà dans le répertoire (même courriel)"] in rows
    assert b"secret-value" not in response.get_data()


def test_an_import_belongs_to_the_employee_who_uploaded_it(app, signed_in, make_employee, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name"], ["Ana"]]))
    with app.app_context():
        db.session.get(ImportJob, job_id).employee_id = make_employee("owner", email="other@test.example")
        db.session.commit()
    assert client.get(f"/customers/import/{job_id}").status_code == 404
    assert client.post(f"/customers/import/{job_id}/run", data={"duplicates": "skip"}).status_code == 404


def test_import_needs_the_import_capability(signed_in, shop):
    client = signed_in("manager")  # Gérant: no import
    assert client.get("/customers/import").status_code == 403
    assert upload(client, csv_bytes([["First Name"], ["Ana"]])).status_code == 403


def test_an_importer_may_not_map_a_field_they_may_not_edit(app, signed_in, shop):
    client = signed_in(capabilities={"customers.import"})  # Basic only: no email, phone, address
    job_id = upload_ok(client, csv_bytes([["First Name", "Email", "Phone"], ["Ana", "ana@example.com", "0612345678"]]))
    html = client.get(f"/customers/import/{job_id}").get_data(as_text=True)
    assert mapping_of(html) == {"First Name": "first_name", "Email": "", "Phone": ""}
    assert 'value="email"' not in html
    forged = client.post(f"/customers/import/{job_id}/run", data={"duplicates": "skip", "map-1": "email"})
    assert forged.status_code == 422 and customers(app) == []


def test_an_importer_without_the_discounts_right_may_not_import_discounts_or_profiles(app, signed_in, shop):
    """Discounts and account profiles are a right of their own ("Clients – Remises
    et profil"): an import is no way around it."""
    client = signed_in(capabilities={"customers.import", "customers.basic"})
    job_id = upload_ok(client, csv_bytes([["Prénom", "Réduction", "Profil"], ["Ana", "50", "VIP"]]))
    html = client.get(f"/customers/import/{job_id}").get_data(as_text=True)
    assert 'value="default_discount"' not in html and 'value="account_profile"' not in html
    forged = client.post(f"/customers/import/{job_id}/run",
                         data={"duplicates": "skip", "map-1": "default_discount", "map-2": "account_profile"})
    assert forged.status_code == 422 and customers(app) == []


def test_import_is_audited_with_counts_only(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name", "Email"], ["Albane", "albane@example.com"]]))
    run(client, job_id)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_imported"))
        assert (event.target_id, event.count, event.employee_id) == (job_id, 1, client.employee_id)
        assert event.details == {"created": 1, "updated": 0, "skipped": 0, "rejected": 0, "warnings": 0}


def test_a_queued_import_shows_polled_progress_and_can_be_cancelled(app, signed_in, shop, monkeypatch):
    """The route only enqueues: with no consumer running, the job waits, and
    the page polls it; cancelling then writes nothing."""
    from blueprints.customers import tasks
    client = signed_in("owner")
    rows = [["First Name", "Email"]] + [[f"Client{i}", f"c{i}@example.com"] for i in range(30)]
    job_id = upload_ok(client, csv_bytes(rows))
    monkeypatch.setattr(tasks, "run_import_task", lambda job_id: None)  # a consumer that has not started yet
    response = client.post(f"/customers/import/{job_id}/run", data={"duplicates": "skip"})
    assert response.status_code == 303 and job(app, job_id).status == "queued"
    page = client.get(f"/customers/import/{job_id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and "Annuler l’import" in page
    client.post(f"/customers/import/{job_id}/cancel")
    assert job(app, job_id).status == "cancelled" and customers(app) == [] and not has_upload(app, job_id)
    with app.app_context():  # the task delivered late finds nothing to do
        assert importing.run_import(job_id).status == "cancelled"
    assert customers(app) == []


def test_an_import_is_written_by_the_queue_task(app, signed_in, shop):
    client = signed_in("owner")
    rows = [["First Name", "Email"]] + [[f"Client{i}", f"c{i}@example.com"] for i in range(30)]
    job_id = upload_ok(client, csv_bytes(rows))
    run(client, job_id)
    fragment = client.htmx("get", f"/customers/import/{job_id}/status").get_data(as_text=True)
    assert job(app, job_id).status == "done"
    assert 'data-count="created">30<' in fragment and "every 1s" not in fragment
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Phone)) == 0
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 30


def test_an_upload_swept_away_shows_as_cancelled_without_writing(app, signed_in, shop):
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name"], ["Ana"]]))
    with app.app_context():
        importing.delete_upload(job_id)
        db.session.commit()
    assert "Import annulé" in client.get(f"/customers/import/{job_id}").get_data(as_text=True)
    assert job(app, job_id).status == "pending"  # a GET changes nothing


def test_an_import_whose_worker_died_shows_as_failed_with_a_retry(app, signed_in, shop):
    from datetime import timedelta

    from models.base import utcnow
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name"], ["Ana"]]))
    with app.app_context():
        stuck = db.session.get(ImportJob, job_id)
        stuck.status, stuck.worker = "checking", "another-server:123"
        stuck.heartbeat_at = utcnow() - timedelta(hours=3)
        db.session.commit()
    html = client.htmx("get", f"/customers/import/{job_id}/status").get_data(as_text=True)
    assert "L’import a échoué" in html and "every 1s" not in html and "Réessayer" in html
    assert job(app, job_id).status == "checking"  # a GET changes nothing
    response = client.post(f"/customers/import/{job_id}/retry")
    assert response.status_code == 303
    assert job(app, job_id).status == "done" and [c.first_name for c in customers(app)] == ["Ana"]

def test_a_row_with_an_unreadable_value_is_imported_and_reported_with_its_field(app, signed_in, make_customer,
                                                                               shop):
    make_customer(email="dup@example.com")
    client = signed_in("owner")
    job_id = upload_ok(client, csv_bytes([["First Name", "Email", "Phone"], ["Ana", "ana@example.com", "12"],
                                          ["Bob", "bob@example.com", "0612345678"],
                                          ["Dup", "dup@example.com", "34"]]))  # skipped: not "to check"
    html = run(client, job_id)
    finished = job(app, job_id)
    assert (finished.status, finished.created_count, finished.skipped_count, finished.warning_count) == (
        "done", 2, 1, 1)
    assert 'data-count="warnings">1<' in html and "Importée, à vérifier" in html
    rows = read_csv(client.get(f"/customers/import/{job_id}/report.csv").get_data())
    (line,) = [row for row in rows if row[:2] == ["2", "Importée, à vérifier"]]
    assert line[2].startswith("Téléphone : ")
    assert b"12" not in "".join(line).encode()  # the value itself is not in the report
