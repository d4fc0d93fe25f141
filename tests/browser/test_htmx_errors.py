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
    expect(page.locator("#toast")).to_contain_text("n’existe pas")


def test_not_found_page(signed_in_page, live_server):
    page = signed_in_page("owner")
    response = page.goto(f"{live_server}/customers/987654")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")


def test_database_down_shows_a_french_message_and_a_read_is_retried(app, signed_in_page, live_server):
    from tests.web.test_database_down import database_down
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    with database_down(app):
        page.evaluate("htmx.ajax('GET', '/customers?q=retry-me', {target: '#main'})")
        expect(page.locator("#toast")).to_contain_text("momentanément indisponible")
    # The database is back: app.js asks again after Retry-After, by itself.
    with page.expect_response(lambda r: "q=retry-me" in r.url and r.status == 200, timeout=20000):
        pass


def test_a_write_whose_answer_is_lost_says_to_reload(signed_in_page, live_server, make_customer):
    customer_id = make_customer()
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{customer_id}")
    page.route("**/archive", lambda route: route.abort())
    page.evaluate(f"htmx.ajax('POST', '/customers/{customer_id}/archive', {{target: '#main'}}).catch(() => null)")
    toast = page.locator("#toast")
    expect(toast).to_contain_text("Rechargez la page")
    expect(toast).not_to_contain_text("rien n’a été enregistré")
