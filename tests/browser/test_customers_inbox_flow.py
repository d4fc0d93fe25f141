"""The data-quality inbox in Chromium at tablet size (768x1024): the badge,
a one-tap fix and an "ignorer", each answered in place by htmx."""
from playwright.sync_api import expect


def test_inbox_fix_and_ignore_in_place(signed_in_page, live_server, make_customer, app):
    from extensions import db
    from models import Customer
    fixed_id = make_customer(first_name="JEAN", last_name="Valjean")
    ignored_id = make_customer(first_name="COSETTE", last_name="Fauchelevent")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    badge = page.locator(".mainnav a[href='/customers/inbox'] .badge")
    expect(badge).to_have_text("2")
    badge.click()
    expect(page.locator("h1")).to_have_text("À traiter")
    page.get_by_role("button", name="Écrire Jean / Valjean").click()
    expect(page.locator(f"#item-{fixed_id}")).to_contain_text("Corrigé.")
    row = page.locator(f"#item-{ignored_id}-0")
    row.get_by_role("button", name="Ignorer").click()
    expect(page.locator(f"#item-{ignored_id}")).to_contain_text("Ignoré")
    with app.app_context():
        assert db.session.get(Customer, fixed_id).first_name == "Jean"
    page.reload()
    expect(page.locator("main")).to_contain_text("Rien à traiter ici.")
    expect(page.locator(".mainnav a[href='/customers/inbox']")).to_have_count(0)
