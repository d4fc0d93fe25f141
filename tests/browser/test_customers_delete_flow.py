"""The delete flow in Chromium at tablet size (768x1024): seeds 000 and 001."""
import re

from playwright.sync_api import expect


def test_delete_flow_warning_checkbox_confirmation_and_back_to_the_list(signed_in_page, live_server, make_customer):
    customer_id = make_customer(first_name="Gaëlle", last_name="Le Goff", archived=True)
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{customer_id}")
    page.get_by_role("button", name="Supprimer le client").click()
    expect(page.locator(".warning-text")).to_contain_text("ne peut être annulée")
    page.get_by_role("button", name="Supprimer ce client").click()  # the box is not ticked
    expect(page.locator("#confirm-error")).to_contain_text("Cochez la case")
    page.get_by_label("J’ai lu et compris cet avertissement.").check()
    page.get_by_role("button", name="Supprimer ce client").click()
    expect(page.locator("h1")).to_have_text("Client supprimé")
    expect(page.locator("main")).to_contain_text(f"Client anonymisé #{customer_id}")
    page.get_by_role("button", name="Retourner à la liste des clients").click()
    expect(page).to_have_url(re.compile(r"/customers$"))
    expect(page.locator("#results")).not_to_contain_text("Gaëlle")
    assert page.goto(f"{live_server}/customers/{customer_id}").status == 404
