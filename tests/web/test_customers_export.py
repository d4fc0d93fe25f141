"""Exporting customers to CSV (seed 000): the list's query, permissions per
column, formula neutralising, BOM, streaming, one customer's whole file, audit."""
from sqlalchemy import select

from extensions import db
from models import AuditEvent, Phone
from models.base import utcnow
from tests.support_customers import set_consent
from tests.support_customers_data import add_points, add_reward, add_sale, add_to_group, read_csv


def export(client, url="/customers/export", **params):
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.status_code
    return response, read_csv(response.get_data())


def test_export_is_utf8_csv_with_a_byte_order_mark_as_a_download(signed_in, make_customer):
    make_customer(first_name="Zoë", last_name="Œuvray")
    response, rows = export(signed_in("owner"))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="clients-')
    assert rows[1][1:3] == ["Zoë", "Œuvray"]


def test_export_is_streamed(signed_in, make_customer):
    make_customer()
    response = signed_in("owner").get("/customers/export")
    assert response.is_streamed


def test_export_without_query_has_every_customer_of_the_list(signed_in, make_customer):
    active = [make_customer(first_name=f"Client{i}") for i in range(3)]
    make_customer(first_name="Archivé", archived=True)
    make_customer(first_name="Supprimé", anonymised=True, archived=True)
    _response, rows = export(signed_in("owner"))
    assert sorted(int(r[0]) for r in rows[1:]) == active


def test_export_with_archived_adds_archived_customers_but_never_deleted_ones(signed_in, make_customer):
    make_customer(first_name="Actif")
    archived = make_customer(first_name="Archivé", archived=True)
    make_customer(first_name="Supprimé", anonymised=True, archived=True)
    _response, rows = export(signed_in("owner"), archived="1")
    assert len(rows) == 3 and str(archived) in [r[0] for r in rows]


def test_export_takes_the_current_search_and_sort(signed_in, make_customer):
    make_customer(first_name="Élodie", last_name="Dupont")
    make_customer(first_name="Marc", last_name="Dupont")
    make_customer(first_name="Anne", last_name="Martin")
    _response, rows = export(signed_in("owner"), q="dupont", sort="-name")
    assert [r[1] for r in rows[1:]] == ["Marc", "Élodie"]


def test_export_takes_the_list_filters(app, signed_in, make_customer):
    vip = make_customer(first_name="Vip")
    make_customer(first_name="Autre")
    with app.app_context():
        group_id = add_to_group("VIP", vip)
        db.session.commit()
    _response, rows = export(signed_in("owner"), group=str(group_id))
    assert [r[0] for r in rows[1:]] == [str(vip)]
    assert rows[1][rows[0].index("Groupes")] == "VIP"


def test_owner_export_has_contact_columns_with_phones_in_international_form(signed_in, make_customer):
    make_customer(email="jeanne@example.com", phones=["06 12 34 56 78", "07 81 22 33 44"],
                  address_line1="1 rue Haute", city="Nantes")
    _response, rows = export(signed_in("owner"))
    header, row = rows
    assert row[header.index("Courriel")] == "jeanne@example.com"
    assert row[header.index("Téléphone")] == "'+33612345678"  # neutralised: a cell starting with +
    assert row[header.index("Autres téléphones")] == "'+33781223344"
    assert row[header.index("Ville")] == "Nantes"
    assert "Commentaires" in header


def test_employee_export_has_no_email_phone_address_or_comment_column(signed_in, make_customer):
    make_customer(email="secret@example.com", phones=["06 12 34 56 78"], address_line1="9 rue Basse",
                  city="Quimper", comments="VIP discret")
    # Employé's set (no contact details, seed 004) plus the right to export.
    client = signed_in(capabilities={"access.register", "access.backoffice", "customers.basic",
                                     "loyalty.points", "customers.export"})
    response, rows = export(client)
    header = rows[0]
    for column in ("Courriel", "Téléphone", "Autres téléphones", "Adresse ligne 1", "Ville", "Commentaires"):
        assert column not in header
    body = response.get_data(as_text=True)
    for value in ("secret@example.com", "612345678", "9 rue Basse", "Quimper", "VIP discret"):
        assert value not in body


def test_masked_levels_are_exported_masked(signed_in, make_customer):
    make_customer(email="elodie@gmail.com", phones=["06 12 34 56 78"], address_line1="2 rue Nord", city="Caen")
    client = signed_in(capabilities={"customers.export", "customers.email.masked", "customers.phone.masked",
                                     "customers.address.masked"})
    response, (header, row) = export(client)
    assert row[header.index("Courriel")] == "e•••@gmail.com"
    assert row[header.index("Téléphone")].endswith("78") and "612345678" not in response.get_data(as_text=True)
    assert row[header.index("Adresse ligne 1")] == "" and row[header.index("Ville")] == "Caen"


def test_marketing_only_customer_is_masked_for_a_viewer(signed_in, make_customer, app):
    set_consent(app, make_customer(email="abonne@example.com", origin="marketing"), "email_marketing", "yes")
    client = signed_in(capabilities={"customers.export", "customers.email.view"})
    _response, (header, row) = export(client)
    assert row[header.index("Courriel")] == "a•••@example.com"


def test_cells_that_start_a_formula_are_neutralised(signed_in, make_customer):
    names = ["=HYPERLINK(\"http://x\")", "+33 cmd", "-2+3", "@SUM(A1)"]
    controls = ["\tTab", "\rReturn", "\nLine"]
    for index, attack in enumerate(names):
        make_customer(first_name=attack, last_name=f"Z{index}")
    for index, attack in enumerate(controls):
        make_customer(first_name=f"Ctl{index}", tax_id=attack)  # free text kept as typed
    _response, rows = export(signed_in("owner"))
    header = rows[0]
    firsts = sorted(r[1] for r in rows[1:] if not r[1].startswith("Ctl"))
    assert firsts == sorted("'" + attack for attack in names)
    taxes = sorted(r[header.index("Identifiant fiscal")] for r in rows[1:] if r[1].startswith("Ctl"))
    assert taxes == sorted("'" + attack for attack in controls)
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) for r in rows[1:] for cell in r)


def test_export_is_refused_without_the_capability(signed_in, make_customer):
    customer_id = make_customer()
    client = signed_in(capabilities={"customers.basic"})
    assert client.get("/customers/export").status_code == 403
    assert client.get(f"/customers/{customer_id}/export").status_code == 403


def test_export_is_audited_with_the_count_and_no_value(app, signed_in, make_customer):
    make_customer(first_name="Albane")
    make_customer(first_name="Bertille")
    client = signed_in("owner")
    export(client, q="albane")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_exported"))
        assert event.count == 1 and event.employee_id == client.employee_id
        assert event.details["search"] is True
        assert "albane" not in str(event.details).lower()


# --- one customer's whole file ------------------------------------------------

def sections(rows) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for row in rows:
        if row and row[0] != "Section":
            found.setdefault(row[0], []).append(row[1:])
    return found


def full_customer(app, make_customer, shop) -> int:
    customer_id = make_customer(first_name="Inès", last_name="Morel", email="ines@example.com",
                                phones=["06 12 34 56 78", "07 81 22 33 44"], comments="Client fidèle",
                                city="Lille")
    with app.app_context():
        add_sale(customer_id, shop["location_id"], 900, card_holder_name="INES MOREL", invoice=True,
                 items=(("Baguette", 2, 120), ("Tarte", 1, 660)))
        add_points(customer_id, 15, reason="Bienvenue")
        add_reward(customer_id, "Café offert")
        add_to_group("Habitués", customer_id)
        phone = db.session.scalar(select(Phone).where(Phone.customer_id == customer_id, Phone.e164 == "+33781223344"))
        phone.linked = False
        phone.unlinked_at = utcnow()
        db.session.commit()
    return customer_id


def test_one_customer_export_holds_every_section(app, signed_in, make_customer, shop):
    customer_id = full_customer(app, make_customer, shop)
    response, rows = export(signed_in("owner"), f"/customers/{customer_id}/export")
    assert response.headers["Content-Disposition"] == f'attachment; filename="client-{customer_id}.csv"'
    found = sections(rows)
    assert set(found) >= {"Profil", "Téléphones", "Groupes", "Ventes", "Points", "Récompenses", "Factures"}
    profile = {row[0]: row[1] for row in found["Profil"]}
    assert profile["Prénom"] == "Inès" and profile["Courriel"] == "ines@example.com"
    assert profile["Commentaires"] == "Client fidèle" and profile["Ville"] == "Lille"
    phones = {row[0]: row[2] for row in found["Téléphones"][1:]}
    assert phones == {"'+33612345678": "Oui", "'+33781223344": "Non"}  # the unlinked history too
    assert found["Groupes"][1:] == [["Habitués"]]
    sale_rows = found["Ventes"][1:]
    assert [r[10] for r in sale_rows] == ["Baguette", "Tarte"] and sale_rows[0][7] == "INES MOREL"
    assert found["Points"][1][1:4] == ["15", "Ajout", "Bienvenue"]
    assert found["Récompenses"][1][0] == "Café offert"
    assert found["Factures"][1][0].startswith("F-TEST-")


def test_one_customer_export_has_only_what_the_employee_may_view(app, signed_in, make_customer, shop):
    customer_id = full_customer(app, make_customer, shop)
    client = signed_in(capabilities={"customers.export"})  # Basic, no contact, no history
    response, rows = export(client, f"/customers/{customer_id}/export")
    found = sections(rows)
    assert "Téléphones" not in found and "Ventes" not in found and "Factures" not in found
    labels = [row[0] for row in found["Profil"]]
    assert "Courriel" not in labels and "Commentaires" not in labels and "Ville" not in labels
    body = response.get_data(as_text=True)
    for value in ("ines@example.com", "612345678", "Client fidèle", "INES MOREL"):
        assert value not in body
    assert "Points" in found and "Groupes" in found


def test_one_customer_export_is_audited(app, signed_in, make_customer):
    customer_id = make_customer()
    signed_in("owner").get(f"/customers/{customer_id}/export")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_exported"))
        assert (event.target_id, event.count) == (customer_id, 1)


def test_export_of_a_deleted_or_missing_customer_is_404(signed_in, make_customer):
    deleted = make_customer(anonymised=True, archived=True)
    client = signed_in("owner")
    assert client.get(f"/customers/{deleted}/export").status_code == 404
    assert client.get("/customers/424242/export").status_code == 404


def test_profile_and_directory_show_the_export_buttons_by_capability(signed_in, make_customer):
    customer_id = make_customer()
    owner = signed_in("owner")
    assert f'href="/customers/{customer_id}/export"' in owner.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert 'href="/customers/export?q=jean"' in owner.get("/customers?q=jean").get_data(as_text=True)


def test_directory_hides_the_export_button_without_the_capability(signed_in, make_customer):
    customer_id = make_customer()
    cashier = signed_in("cashier")
    assert "/export" not in cashier.get("/customers").get_data(as_text=True)
    assert "/export" not in cashier.get(f"/customers/{customer_id}").get_data(as_text=True)


# --- consent per purpose (issue 15) --------------------------------------------------------

def test_the_export_carries_each_purposes_state_and_date(signed_in, make_customer, app):
    yes = make_customer(first_name="Oui")
    make_customer(first_name="Rien")
    set_consent(app, yes, "email_marketing", "yes")
    set_consent(app, yes, "sms_marketing", "no")
    _response, (header, *rows) = export(signed_in("owner"))
    cells = {row[1]: dict(zip(header, row)) for row in rows}
    assert (cells["Oui"]["Marketing par courriel"], cells["Oui"]["Marketing par SMS"],
            cells["Oui"]["Autoriser les notifications par courriel"]) == ("Oui", "Non", "Inconnu")
    assert cells["Oui"]["Marketing par courriel – date"].startswith(str(utcnow().year))
    assert cells["Oui"]["Autoriser les notifications par courriel – date"] == ""
    assert (cells["Rien"]["Marketing par courriel"], cells["Rien"]["Marketing par courriel – date"]) == ("Inconnu", "")


def test_an_export_for_a_campaign_takes_only_a_yes(signed_in, make_customer, app):
    yes, no = make_customer(first_name="Oui"), make_customer(first_name="Non")
    make_customer(first_name="Rien")
    set_consent(app, yes, "email_marketing", "yes")
    set_consent(app, no, "email_marketing", "no")
    _response, rows = export(signed_in("owner"), email_consent="yes")
    assert [row[1] for row in rows[1:]] == ["Oui"]


def test_a_customers_file_holds_the_consent_history_with_its_proof(signed_in, make_customer, app):
    customer_id = make_customer(first_name="Lou")
    client = signed_in("owner")
    set_consent(app, customer_id, "email_marketing", "yes", employee_id=client.employee_id)
    _response, rows = export(client, f"/customers/{customer_id}/export")
    history = [row for row in rows if row and row[0] == "Consentements"]
    assert history[0][1:4] == ["Finalité", "Choix", "Date"]
    assert history[1][1:3] == ["Marketing par courriel", "Oui"]
    profile = {row[1]: row[2] for row in rows if row and row[0] == "Profil"}
    assert profile["Marketing par courriel"] == "Oui" and profile["Marketing par SMS"] == "Inconnu"
