import re

from playwright.sync_api import expect


def test_owner_signs_in_and_sees_french_navigation(signed_in_page, live_server):
    page = signed_in_page("owner")
    nav = page.locator("header .mainnav")
    expect(nav).to_contain_text("Clients")
    expect(nav).to_contain_text("Fidélité")
    expect(nav).to_contain_text("Ventes")
    expect(nav).to_contain_text("Équipe")


def test_cashier_navigation_hides_team(signed_in_page):
    page = signed_in_page("cashier")
    nav = page.locator("header .mainnav")
    expect(nav).to_contain_text("Clients")
    expect(nav).not_to_contain_text("Équipe")


def test_language_switch_on_sign_in_page(page, live_server, shop, make_employee):
    make_employee("owner")
    page.goto(f"{live_server}/login")
    expect(page.locator("h1")).to_have_text("Connexion")
    page.click("button[value=en]")
    expect(page.locator("h1")).to_have_text("Sign in")


def test_wrong_password_shows_message_beside_field(page, live_server, shop, make_employee):
    make_employee("owner")
    page.goto(f"{live_server}/login")
    page.fill("#email", "owner@test.example")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator("small.error")).to_contain_text("incorrect")
    expect(page).to_have_url(re.compile(r"/login"))


def test_touch_targets_of_the_layout_are_at_least_44px(signed_in_page, live_server):
    page = signed_in_page("owner")
    page.goto(f"{live_server}/account")
    # What is shown: the header's menus (rooms, account) are <details>, closed.
    targets = page.locator("header a:visible, header summary:visible, header button:visible, main button:visible")
    assert targets.count() >= 5
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        assert box["height"] >= 44, targets.nth(index).inner_text()


def test_layout_fits_a_tablet_without_horizontal_scroll(signed_in_page, live_server):
    page = signed_in_page("owner")
    page.goto(f"{live_server}/account")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
