"""Issue 14: the inline name editor shows ✓ and ✕ beside the field, for a
tablet keyboard without Escape. ✕ puts the name back without saving, even
though the tap leaves the field (which otherwise saves); ✓ saves."""
from playwright.sync_api import expect

from tests.support_loyalty import member, read

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "locale": "fr-FR"}


def _open_editor(browser, live_server, make_employee):
    from tests.conftest import PASSWORD
    make_employee("cashier")
    context = browser.new_context(**TABLET)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "cashier@test.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/loyalty")
    page.locator("td.name-cell").first.locator("a.pencil").tap()
    field = page.locator("td.name-cell input[name=value]")
    expect(field).to_be_visible()
    return context, page, field


def test_cross_cancels_the_inline_edit_on_a_tablet(browser, live_server, app, make_customer, make_employee):
    member_id = member(app, make_customer, first_name="Elodie", last_name="Dupont")
    context, page, field = _open_editor(browser, live_server, make_employee)
    try:
        field.fill("Changé")
        page.locator("td.name-cell button.name-cancel").tap()
        expect(page.locator("span.inline-name", has_text="Elodie")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert read(app, member_id).first_name == "Elodie"
    finally:
        context.close()


def test_tick_saves_the_inline_edit_on_a_tablet(browser, live_server, app, make_customer, make_employee):
    member_id = member(app, make_customer, first_name="Elodie", last_name="Dupont")
    context, page, field = _open_editor(browser, live_server, make_employee)
    try:
        field.fill("Élodie")
        ok = page.locator("td.name-cell button.name-ok")
        box = ok.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        ok.tap()
        expect(page.locator("span.inline-name", has_text="Élodie")).to_be_visible()
        assert read(app, member_id).first_name == "Élodie"
    finally:
        context.close()
