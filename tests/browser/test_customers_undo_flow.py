"""Undoing a merge in Chromium at tablet size (issue 15): from the profile's
notice to the secondary back in the list."""
from playwright.sync_api import expect


def test_merge_then_undo_from_the_profile(signed_in_page, live_server, make_customer, app):
    primary = make_customer(first_name="Élodie", last_name="Dupont", email=None)
    secondary = make_customer(first_name="Elodie", last_name="Dupond", email="elodie@example.com")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{primary}/merge/preview?secondary={secondary}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#merge-confirm").click()
    expect(page).to_have_url(f"{live_server}/customers/{primary}")

    page.locator("[data-action=merge-undo]").click()
    expect(page.locator("h1")).to_have_text("Annuler la fusion")
    expect(page.locator("#merge-undo")).to_contain_text("Elodie Dupond")
    page.locator("#merge-undo-confirm").click()

    expect(page).to_have_url(f"{live_server}/customers/{primary}")
    expect(page.locator("#flashes")).to_contain_text("Fusion annulée")
    expect(page.locator("[data-action=merge-undo]")).to_have_count(0)
    from extensions import db
    from models import Customer
    with app.app_context():
        back = db.session.get(Customer, secondary)
        assert not back.archived and back.merged_into_id is None
        assert db.session.get(Customer, primary).email is None


def test_import_then_undo_from_its_report(signed_in_page, live_server, shop, tmp_path, app):
    from tests.support_customers_data import csv_bytes
    path = tmp_path / "clients.csv"
    path.write_bytes(csv_bytes([["First Name", "Email"], ["Hélène", "helene@example.com"],
                                ["Marc", "marc@example.com"]]))
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/import")
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="Continuer").click()
    page.locator("#import-run").click()
    expect(page.locator("#import-report")).to_contain_text("Import terminé")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#import-undo-button").click()

    undo = page.locator("#import-undo")
    expect(undo).to_contain_text("Cet import a été annulé")
    expect(undo).to_contain_text("2 clients créés par l’import ont été supprimés")
    from sqlalchemy import func, select

    from extensions import db
    from models import Customer
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
