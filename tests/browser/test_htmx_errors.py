"""The htmx error path: a 4xx/5xx answer is shown to the user, never a silent nothing."""
from playwright.sync_api import expect


def test_forbidden_htmx_request_shows_a_message(signed_in_page, live_server):
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/customers")
    page.evaluate("htmx.ajax('GET', '/team', {target: '#main'})")
    toast = page.locator("#toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("autorisations")


def test_missing_page_htmx_request_shows_a_message(signed_in_page, live_server):
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    page.evaluate("htmx.ajax('GET', '/customers/987654', {target: '#main'})")
    expect(page.locator("#toast")).to_contain_text("n'existe pas")


def test_not_found_page(signed_in_page, live_server):
    page = signed_in_page("owner")
    response = page.goto(f"{live_server}/customers/987654")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")
