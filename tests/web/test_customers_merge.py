"""Merging customers through the pages (seed 000): choose secondaries, the
field-by-field preview, Fusionner + OK; refusals; permissions; audit."""
import re

from sqlalchemy import select

from extensions import db
from models import AuditEvent, Customer
from tests.support_customers_data import add_points, ledger_sum

MERGER = {"customers.merge"}  # implies Basic and Archive, no contact field


def test_merge_pages_need_the_merge_capability(signed_in, make_customer):
    primary = make_customer()
    secondary = make_customer()
    client = signed_in("cashier")
    assert client.get(f"/customers/{primary}/merge").status_code == 403
    assert client.get(f"/customers/{primary}/merge/preview?secondary={secondary}").status_code == 403
    assert client.post(f"/customers/{primary}/merge", data={"secondary": secondary}).status_code == 403
    assert client.get("/customers/duplicates").status_code == 403


def test_merge_page_searches_candidates_without_the_primary_or_deleted_ones(signed_in, make_customer):
    primary = make_customer(first_name="Élodie", last_name="Dupont")
    twin = make_customer(first_name="Elodie", last_name="Dupont")
    archived = make_customer(first_name="Élodie", last_name="Dupont", archived=True)
    make_customer(first_name="Élodie", last_name="Dupont", anonymised=True, archived=True)
    response = signed_in("manager").htmx("get", f"/customers/{primary}/merge?q=dupont")
    html = response.get_data(as_text=True)
    assert "<html" not in html  # the fragment only
    values = set(re.findall(r'name="secondary" value="(\d+)"', html))
    assert values == {str(twin), str(archived)}


def test_merge_page_keeps_the_ticked_secondaries_across_searches(signed_in, make_customer):
    primary = make_customer(first_name="Ana")
    ticked = make_customer(first_name="Ana", last_name="Zed")
    make_customer(first_name="Bob")
    html = signed_in("manager").htmx("get", f"/customers/{primary}/merge?q=bob&secondary={ticked}").get_data(as_text=True)
    assert f'value="{ticked}" id="secondary-{ticked}" checked' in html
    assert "Bob" in html


def test_preview_shows_result_primary_and_secondary_field_by_field(signed_in, make_customer):
    primary = make_customer(first_name="Léa", last_name="Petit", email=None, tax_id="FR1")
    secondary = make_customer(first_name="Lea", last_name="Petit", email="lea@example.com", tax_id="FR2")
    html = signed_in("manager").get(f"/customers/{primary}/merge/preview?secondary={secondary}").get_data(as_text=True)
    email_row = re.search(r"<th scope=\"row\">Courriel</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td[^>]*>\s*([^<]*?)\s*(?:<span|</td>)", email_row) == ["lea@example.com", "—", "lea@example.com"]
    assert "complété" in email_row
    tax_row = re.search(r"<th scope=\"row\">Identifiant fiscal</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td[^>]*>\s*([^<]*?)\s*(?:<span|</td>)", tax_row) == ["FR1", "FR1", "FR2"]
    assert "Fusionner" in html and "data-confirm" in html
    # The undo window, in the notice and the confirmation (never "cannot be undone": it can).
    assert "ne peut pas être annulée" not in html
    assert html.count("annuler la fusion pendant 30 jours") == 1
    assert "annuler cette fusion depuis la fiche pendant 30 jours" in html


def test_preview_has_no_row_for_a_field_the_employee_may_not_view(signed_in, make_customer):
    primary = make_customer(first_name="Max", email=None, comments=None)
    secondary = make_customer(first_name="Max", email="secret@example.com", comments="Note privée")
    html = signed_in(capabilities=MERGER).get(
        f"/customers/{primary}/merge/preview?secondary={secondary}").get_data(as_text=True)
    assert "secret@example.com" not in html and "Courriel" not in html
    assert "Note privée" not in html


def test_confirming_merges_several_secondaries_and_returns_to_the_profile(app, signed_in, make_customer):
    primary = make_customer(first_name="Zoé", email=None)
    a = make_customer(first_name="Zoé", email="zoe@example.com")
    b = make_customer(first_name="Zoé", phones=["06 12 34 56 78"])
    with app.app_context():
        add_points(a, 5)
        add_points(b, 8)
        db.session.commit()
    client = signed_in("manager")
    response = client.post(f"/customers/{primary}/merge", data={"secondary": [a, b]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/customers/{primary}")
    assert "2 dossiers fusionnés" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        merged = db.session.get(Customer, primary)
        assert merged.email == "zoe@example.com" and [p.e164 for p in merged.phones] == ["+33612345678"]
        assert merged.points_balance == ledger_sum(primary) == 13
        assert all(db.session.get(Customer, s).merged_into_id == primary for s in (a, b))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_merged"))
        assert event.count == 2 and event.employee_id == client.employee_id


def test_confirm_after_a_change_since_the_preview_is_refused(app, signed_in, make_customer):
    primary = make_customer(first_name="Tom")
    secondary = make_customer(first_name="Tom")
    with app.app_context():
        stale = db.session.get(Customer, secondary).version
        db.session.get(Customer, secondary).email = "tom@example.com"
        db.session.commit()
    response = signed_in("manager").post(f"/customers/{primary}/merge",
                                         data={"secondary": secondary, f"version-{secondary}": stale})
    assert response.status_code == 422
    assert "modifié depuis l" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Customer, secondary).merged_into_id is None


def test_merge_into_itself_is_refused(signed_in, make_customer):
    primary = make_customer()
    client = signed_in("manager")
    assert client.get(f"/customers/{primary}/merge/preview?secondary={primary}").status_code == 422
    response = client.post(f"/customers/{primary}/merge", data={"secondary": primary})
    assert response.status_code == 422 and "lui-même" in response.get_data(as_text=True)


def test_merge_from_or_into_a_deleted_customer_is_refused(signed_in, make_customer):
    primary = make_customer()
    deleted = make_customer(anonymised=True, archived=True)
    client = signed_in("manager")
    response = client.post(f"/customers/{primary}/merge", data={"secondary": deleted})
    assert response.status_code == 422 and "supprimé" in response.get_data(as_text=True)
    assert client.get(f"/customers/{deleted}/merge").status_code == 404
    assert client.post(f"/customers/{deleted}/merge", data={"secondary": primary}).status_code == 404


def test_an_archived_primary_must_be_unarchived_first(app, signed_in, make_customer):
    primary = make_customer(archived=True)
    secondary = make_customer()
    client = signed_in("manager")
    assert "désarchivez-le" in client.get(f"/customers/{primary}/merge").get_data(as_text=True)
    assert client.post(f"/customers/{primary}/merge", data={"secondary": secondary}).status_code == 422
    with app.app_context():
        assert db.session.get(Customer, secondary).merged_into_id is None


def test_merge_without_a_secondary_asks_to_tick_one(signed_in, make_customer):
    primary = make_customer()
    response = signed_in("manager").get(f"/customers/{primary}/merge/preview")
    assert response.status_code == 422 and "Cochez au moins un dossier" in response.get_data(as_text=True)


def test_merge_of_a_missing_secondary_is_404(signed_in, make_customer):
    primary = make_customer()
    client = signed_in("manager")
    assert client.get(f"/customers/{primary}/merge/preview?secondary=987654").status_code == 404
    assert client.post(f"/customers/{primary}/merge", data={"secondary": 987654}).status_code == 404


def test_merge_without_csrf_is_refused(app, signed_in, make_customer):
    primary = make_customer()
    secondary = make_customer()
    client = signed_in("manager")
    client.send_csrf = False
    assert client.post(f"/customers/{primary}/merge", data={"secondary": secondary}).status_code == 400
    with app.app_context():
        assert db.session.get(Customer, secondary).merged_into_id is None


def test_profile_shows_fusionner_to_mergers_only(signed_in, make_customer):
    customer_id = make_customer()
    assert f'href="/customers/{customer_id}/merge"' in signed_in("manager").get(
        f"/customers/{customer_id}").get_data(as_text=True)


def test_profile_hides_fusionner_without_the_capability(signed_in, make_customer):
    customer_id = make_customer()
    assert "/merge" not in signed_in("cashier").get(f"/customers/{customer_id}").get_data(as_text=True)


# --- Doublons ---------------------------------------------------------------

def test_duplicates_page_lists_pairs_with_one_click_into_the_preview(signed_in, make_customer):
    a = make_customer(first_name="Paul", email="paul@example.com")
    b = make_customer(first_name="Paulo", email="PAUL@example.com")
    make_customer(first_name="Autre", email="autre@example.com")
    client = signed_in("manager")
    html = client.get("/customers/duplicates?kind=email").get_data(as_text=True)
    assert f'href="/customers/{a}/merge/preview?secondary={b}"' in html
    assert "Autre" not in html
    assert client.get(f"/customers/{a}/merge/preview?secondary={b}").status_code == 200


def test_duplicates_by_phone_and_by_name(signed_in, make_customer):
    a = make_customer(first_name="Inès", last_name="Roy", phones=["06 12 34 56 78"])
    b = make_customer(first_name="Ines", last_name="ROY", phones=["+33612345678"])
    client = signed_in("manager")
    for kind in ("phone", "name"):
        html = client.get(f"/customers/duplicates?kind={kind}").get_data(as_text=True)
        assert f'href="/customers/{a}/merge/preview?secondary={b}"' in html


def test_duplicates_by_email_or_phone_need_the_right_to_view_them(signed_in, make_customer):
    make_customer(email="x@example.com")
    make_customer(email="x@example.com")
    client = signed_in(capabilities=MERGER)
    html = client.get("/customers/duplicates").get_data(as_text=True)
    assert "Même nom" in html and "Même courriel" not in html and "Même téléphone" not in html
    assert client.get("/customers/duplicates?kind=email").status_code == 404
    assert client.get("/customers/duplicates?kind=phone").status_code == 404


def test_duplicates_pages_follow_with_htmx(signed_in, make_customer):
    for index in range(25):
        make_customer(first_name=f"Dup{index:02d}", email=f"d{index:02d}@example.com")
        make_customer(first_name=f"Dup{index:02d}b", email=f"d{index:02d}@example.com")
    client = signed_in("manager")
    first = client.get("/customers/duplicates?kind=email").get_data(as_text=True)
    assert "start=20" in first and first.count("Comparer et fusionner") == 20
    second = client.htmx("get", "/customers/duplicates?kind=email&start=20").get_data(as_text=True)
    assert "<html" not in second and second.count("Comparer et fusionner") == 5


def test_directory_shows_doublons_importer_exporter_by_capability(signed_in, shop):
    html = signed_in("owner").get("/customers").get_data(as_text=True)
    for href in ('href="/customers/duplicates"', 'href="/customers/import"', 'href="/customers/export"'):
        assert href in html
