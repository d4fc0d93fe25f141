"""The merge flow in Chromium at tablet size (768x1024): seed 000, steps 3 to 7."""
from playwright.sync_api import expect


def test_merge_flow_two_secondaries_preview_then_ok(signed_in_page, live_server, make_customer, app):
    primary = make_customer(first_name="Élodie", last_name="Dupont", email=None)
    first = make_customer(first_name="Elodie", last_name="Dupont", email="elodie@example.com")
    second = make_customer(first_name="E.", last_name="Dupont", phones=["06 12 34 56 78"])
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{primary}")
    page.get_by_role("button", name="Fusionner").click()
    expect(page.locator("h1")).to_have_text("Fusionner des dossiers clients")
    page.locator("#merge-q").press_sequentially("dupont", delay=30)
    candidates = page.locator("#merge-candidates input[name=secondary]")
    expect(candidates).to_have_count(2)
    page.locator(f"#secondary-{first}").check()
    page.locator(f"#secondary-{second}").check()
    page.locator("#merge-next").click()
    expect(page.locator("h1")).to_have_text("Aperçu de la fusion")
    email_row = page.locator("table.merge-preview tr", has_text="Courriel")
    expect(email_row.locator("td.result-col")).to_contain_text("elodie@example.com")
    expect(email_row.locator("td.result-col")).to_contain_text("complété")
    page.once("dialog", lambda dialog: dialog.accept())  # seed 000, step 7: OK
    page.locator("#merge-confirm").click()
    expect(page).to_have_url(f"{live_server}/customers/{primary}")
    expect(page.locator("#flashes")).to_contain_text("2 dossiers fusionnés")
    from extensions import db
    from models import Customer
    with app.app_context():
        merged = db.session.get(Customer, primary)
        assert merged.email == "elodie@example.com" and [p.e164 for p in merged.phones] == ["+33612345678"]
        assert db.session.get(Customer, first).archived and db.session.get(Customer, second).archived


def test_merge_dismissing_the_confirmation_merges_nothing(signed_in_page, live_server, make_customer, app):
    primary = make_customer(first_name="Ana")
    secondary = make_customer(first_name="Ana", email="ana@example.com")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{primary}/merge/preview?secondary={secondary}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#merge-confirm").click()
    expect(page.locator("h1")).to_have_text("Aperçu de la fusion")
    from extensions import db
    from models import Customer
    with app.app_context():
        assert db.session.get(Customer, secondary).merged_into_id is None
