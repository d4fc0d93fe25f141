"""Issue 10, the data half through the pages: each system's real export
imports whole and right with the default settings (all or nothing, mapping
untouched). Headers: tests/unit/test_import_sources.py."""
import io

from sqlalchemy import select

from extensions import db
from models import Customer, ImportJob
from tests.support_customers_data import csv_bytes
from tests.unit.test_import_sources import (LIGHTSPEED_ECOM, LIGHTSPEED_RETAIL, OSPOS, SHOPIFY_EXPORT, SQUARE,
                                            row_of)


def import_file(client, data: bytes, **options) -> int:
    response = client.post("/customers/import", data={"file": (io.BytesIO(data), "clients.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    options.setdefault("duplicates", "skip")
    response = client.post(f"/customers/import/{job_id}/run", data=options)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return job_id


def finished(app, job_id: int) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        job.report  # noqa: B018 - deferred: loaded before the job leaves the session
        db.session.expunge(job)
        return job


def stored(app) -> dict[str, Customer]:
    with app.app_context():
        found = list(db.session.scalars(select(Customer).order_by(Customer.id)))
        for customer in found:
            _ = customer.phones, customer.groups
        db.session.expunge_all()
        return {customer.display_name: customer for customer in found}


def test_a_square_file_with_year_less_birthdays_imports_whole(app, signed_in, shop):
    data = csv_bytes([SQUARE, row_of(SQUARE, **{"First Name": "Élodie", "Last Name": "Dupont", "Birthday": "04-17",
                                                "Company Name": "Boulangerie Lefèvre SARL"}),
                      row_of(SQUARE, **{"First Name": "Marc", "Last Name": "Roy", "Birthday": "1985-04-17"})])
    job_id = import_file(signed_in("owner"), data)
    assert finished(app, job_id).status == "done"
    customers = stored(app)
    elodie, marc = customers["Élodie Dupont"], customers["Marc Roy"]
    assert (elodie.birthday, elodie.birthday_month, elodie.birthday_day) == (None, 4, 17)
    assert elodie.company == "Boulangerie Lefèvre SARL" and str(marc.birthday) == "1985-04-17"


def test_a_shopify_export_is_stored_without_its_protective_apostrophes(app, signed_in, shop):
    data = csv_bytes([SHOPIFY_EXPORT, row_of(SHOPIFY_EXPORT, **{
        "Customer ID": "'9000000000001", "First Name": "Hélène", "Last Name": "Lefèvre",
        "Email": "helene@example.com", "Default Address Zip": "'75002", "Default Address City": "Paris",
        "Default Address Country Code": "FR", "Phone": "'+33612345678",
        "Default Address Company": "Boulangerie Lefèvre SARL"})])
    assert finished(app, import_file(signed_in("owner"), data)).status == "done"
    helene = stored(app)["Hélène Lefèvre"]
    assert (helene.postal_code, helene.company) == ("75002", "Boulangerie Lefèvre SARL")
    assert [(p.raw, p.e164) for p in helene.phones] == [("+33612345678", "+33612345678")]


def test_a_broken_last_line_is_refused_with_its_line_number_and_never_imported(app, signed_in, shop):
    data = ("First Name,Last Name,Email,Note\r\n"
            "Jean,Dupont,jean@example.com,ok\r\n"
            "Anne,Roy,anne@example.com,ok\r\n"
            '"Jean-Noël,Bérubé,jean-noel.berube@@example,peut-être\r\n').encode()
    client = signed_in("owner")
    job_id = import_file(client, data)
    job = finished(app, job_id)
    assert (job.status, job.report) == ("refused", [{"line": 4, "outcome": "rejected", "reasons": ["broken_line"]}])
    assert stored(app) == {}
    import_file(client, data, valid_only="1")
    assert sorted(stored(app)) == ["Anne Roy", "Jean Dupont"]


def test_phones_are_stored_in_the_rows_own_country(app, signed_in, shop):
    data = csv_bytes([OSPOS, row_of(OSPOS, **{"First Name": "Minh", "Last Name": "Tran", "Country": "VN",
                                              "Phone Number": "0912 345 678"}),
                      row_of(OSPOS, **{"First Name": "Luc", "Last Name": "Côté", "Country": "Canada",
                                       "Phone Number": "(514) 555-0199"})])
    assert finished(app, import_file(signed_in("owner"), data)).status == "done"
    customers = stored(app)
    assert [p.e164 for p in customers["Minh Tran"].phones] == ["+84912345678"]
    assert [p.e164 for p in customers["Luc Côté"].phones] == ["+15145550199"]
    assert customers["Luc Côté"].country == "CA"


def test_lightspeed_ecom_address_and_particle_are_stored(app, signed_in, shop):
    data = csv_bytes([LIGHTSPEED_ECOM, row_of(LIGHTSPEED_ECOM, **{
        "Firstname": "Jan", "LastnamePreposition": "van der", "Lastname": "Berg", "E-Mail": "jan@example.nl",
        "Streetname": "Keizersgracht", "Number": "123", "Extension": "A", "Zipcode": "1015 CJ",
        "City": "Amsterdam", "Country": "NL"})])
    assert finished(app, import_file(signed_in("owner"), data)).status == "done"
    jan = stored(app)["Jan van der Berg"]
    assert (jan.last_name, jan.address_line1, jan.postal_code) == ("van der Berg", "Keizersgracht 123A", "1015 CJ")


def test_lightspeed_archived_customers_arrive_archived(app, signed_in, shop):
    data = csv_bytes([LIGHTSPEED_RETAIL, row_of(LIGHTSPEED_RETAIL, **{"First Name": "Old", "Last Name": "Client",
                                                                      "Archived": "true"}),
                      row_of(LIGHTSPEED_RETAIL, **{"First Name": "New", "Last Name": "Client", "Archived": "false"})])
    assert finished(app, import_file(signed_in("owner"), data)).status == "done"
    customers = stored(app)
    assert customers["Old Client"].archived is True and customers["Old Client"].archived_at is not None
    assert customers["New Client"].archived is False


def test_unreadable_values_cost_the_value_not_the_customer(app, signed_in, shop):
    data = csv_bytes([OSPOS, row_of(OSPOS, **{
        "First Name": "Jean-Noël", "Last Name": "Bérubé", "Email": "jean-noel.berube@@example",
        "Phone Number": "12", "Country": "Atlantide", "Comments": "Aime le pain"}),
        row_of(OSPOS, **{"First Name": "Zoé", "Last Name": "Net", "Email": "zoe@example.com"})])
    client = signed_in("owner")
    job = finished(app, import_file(client, data))
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 0)
    customers = stored(app)
    jean = customers["Jean-Noël Bérubé"]
    assert jean.needs_review is True and jean.email is None and jean.country is None
    assert [(p.raw, p.e164) for p in jean.phones] == [("12", None)]
    assert "jean-noel.berube@@example" in jean.comments and "Atlantide" in jean.comments
    assert customers["Zoé Net"].needs_review is False
    html = client.get("/customers?review=1").get_data(as_text=True)
    assert "Jean-Noël Bérubé" in html and "Zoé Net" not in html


def test_two_rows_with_unverified_phones_are_not_duplicates_of_each_other(app, signed_in, shop):
    data = csv_bytes([["First Name", "Phone"], ["Ana", "12"], ["Bob", "13"]])
    job = finished(app, import_file(signed_in("owner"), data))
    assert (job.status, job.created_count, job.skipped_count) == ("done", 2, 0)
