"""Issue 10: the owner's full export is a lossless backup. A shop with every
kind of value (accents, a company alone, a year-less birthday, an unverified
phone, a formula-like comment, archived, members with points) is exported,
emptied, and the file imported without touching the mapping: every customer
comes back, field by field. In French (semicolons, decimal commas, words for
codes) and in English (commas)."""
import io

import pytest
from sqlalchemy import delete, select

from extensions import db
from models import ConsentEvent, Customer, CustomerConsent, Employee, Phone, PointsEntry, customer_groups
from tests.support_customers_data import add_points, add_to_group, read_csv

FIELDS = ("first_name", "last_name", "company", "email", "address_line1", "address_line2", "postal_code", "city",
          "country", "birthday", "birthday_month", "birthday_day", "tax_id", "comments", "loyalty_member", "points_balance", "default_discount", "account_profile",
          "archived")


def build_shop(app):
    from blueprints.customers.service import create_customer
    from core.birthdays import Birthday
    from datetime import date
    with app.app_context():
        elodie = create_customer(
            first_name="Élodie", last_name="Dupont-Œuvray", company="Boulangerie Lefèvre SARL",
            email="elodie@example.com", phones=["06 12 34 56 78", "+84 912 345 678"],
            address_line1="3 rue de l'Église", address_line2="Bât. B, 2ᵉ étage", postal_code="75002",
            city="Paris", country="FR", birthday=date(1990, 5, 17), tax_id="FR12345678901",
            comments="Aime le pain « bien cuit »\nDeuxième ligne; avec un point-virgule", default_discount=10, account_profile="business")
        zoe = create_customer(first_name="Zoë", last_name="Ñúñez", email="zoe@example.com", phones=["12 ext. 4"],
                              comments="=1+1 n'est pas une formule", account_profile="vip", country="VN")
        zoe.set_birthday(Birthday(4, 17))
        zoe.archived = True
        company_only = create_customer(company="SARL Œil de Bœuf", phones=["+33 1 23 45 67 89"])
        jean = create_customer(first_name="Jean", default_discount=5)
        lee = create_customer(last_name="Lee", account_profile="staff")
        db.session.flush()
        for customer in (elodie, zoe, company_only, jean, lee):
            customer.refresh_keys()
        from blueprints.customers.consent import record_consent
        for purpose, state in (("email_marketing", "yes"), ("e_receipts", "yes"), ("sms_marketing", "no")):
            record_consent(elodie, purpose, state, method="legacy")
        record_consent(zoe, "email_marketing", "no", method="legacy")
        add_to_group("VIP", elodie.id)
        add_to_group("Voisins, quartier Nord"[:7], elodie.id)
        add_to_group("VIP", zoe.id)
        add_points(elodie.id, 154, "Bienvenue")
        add_points(zoe.id, 20, "Bienvenue")
        add_points(zoe.id, -5, "Café")
        add_points(jean.id, 0)
        db.session.commit()


def snapshot(app) -> dict:
    """Every customer's fields, phones (E.164 or the unverified text) and groups, by name."""
    with app.app_context():
        result = {}
        for customer in db.session.scalars(select(Customer)):
            key = customer.display_name
            values = {name: getattr(customer, name) for name in FIELDS}
            values["phones"] = sorted((p.e164 or p.raw, p.e164 is None) for p in customer.phones if p.linked)
            values["groups"] = sorted(g.name for g in customer.groups)
            values["consents"] = {c.purpose: c.state for c in customer.consents}
            result[key] = values
        return result


def empty_the_shop(app):
    with app.app_context():
        for statement in (delete(PointsEntry), delete(Phone), delete(customer_groups),
                          delete(CustomerConsent), delete(ConsentEvent), delete(Customer)):
            db.session.execute(statement)
        db.session.commit()


def import_file(client, data: bytes) -> str:
    response = client.post("/customers/import", data={"file": (io.BytesIO(data), "export.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = client.post(f"/customers/import/{job_id}/run", data={"duplicates": "skip"})
    assert response.status_code == 303
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("language, delimiter", [("fr", ";"), ("en", ",")])
def test_the_owners_export_reimported_into_an_empty_shop_gives_back_every_customer(
        app, signed_in, shop, language, delimiter):
    build_shop(app)
    before = snapshot(app)
    client = signed_in("owner")
    with app.app_context():
        for employee in db.session.scalars(select(Employee)):
            employee.language = language
        db.session.commit()
    exported = client.get("/customers/export", query_string={"archived": "1"})
    assert exported.status_code == 200
    body = exported.get_data()
    rows = read_csv(body, delimiter)
    assert len(rows) == 6 and len(rows[0]) > 20  # the form follows the interface's language

    empty_the_shop(app)
    html = import_file(client, body)
    assert 'data-count="created">5<' in html, html[:3000]
    after = snapshot(app)
    assert set(after) == set(before)
    for name, values in before.items():
        assert after[name] == values, name

    with app.app_context():
        zoe = db.session.scalar(select(Customer).where(Customer.first_name == "Zoë"))
        assert zoe.archived_at is not None and zoe.needs_review is True  # its phone is unverified
        elodie = db.session.scalar(select(Customer).where(Customer.first_name == "Élodie"))
        assert elodie.needs_review is False
        (entry,) = db.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == elodie.id))
        assert (entry.delta, entry.reason) == (154, "Solde repris à l'import")
        # The consent came back with the file as its proof.
        proofs = {(e.purpose, e.state, e.method, e.source_file) for e in db.session.scalars(
            select(ConsentEvent).where(ConsentEvent.customer_id == elodie.id))}
        assert proofs == {("email_marketing", "yes", "import", "export.csv"),
                          ("e_receipts", "yes", "import", "export.csv"), ("sms_marketing", "no", "import", "export.csv")}


def test_the_french_export_writes_semicolons_decimal_commas_and_words(app, signed_in, shop):
    from tests.support_customers_data import add_sale
    build_shop(app)
    client = signed_in("owner")
    with app.app_context():
        elodie = db.session.scalar(select(Customer).where(Customer.first_name == "Élodie"))
        add_sale(elodie.id, shop["location_id"], total_cents=1250)
        db.session.commit()
    rows = read_csv(client.get("/customers/export").get_data(), ";")
    header, elodie_row = rows[0], next(r for r in rows if "Élodie" in r)
    cell = dict(zip(header, elodie_row))
    assert (cell["Total dépensé"], cell["Profil"], cell["Origine"]) == ("12,50", "Entreprise", "Ajouté à la main")
    assert (cell["Société"], cell["Date de naissance"]) == ("Boulangerie Lefèvre SARL", "1990-05-17")
    other = read_csv(client.get("/customers/export", query_string={"format": "intl"}).get_data(), ",")
    cell = dict(zip(other[0], next(r for r in other if "Élodie" in r)))
    assert cell["Total dépensé"] == "12.50"


def test_the_directory_offers_the_other_csv_form(signed_in, shop):
    html = signed_in("owner").get("/customers").get_data(as_text=True)
    assert "format=intl" in html and "CSV avec virgules" in html
