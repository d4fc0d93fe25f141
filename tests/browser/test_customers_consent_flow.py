"""Recording a consent on the profile in Chromium at tablet size (issue 15):
open the card's form, nothing chosen in advance, choose, save in place (htmx)."""
from playwright.sync_api import expect


def test_record_email_marketing_consent_on_the_profile(signed_in_page, live_server, make_customer, app):
    customer_id = make_customer(first_name="Lou", last_name="Marchand", email="lou@example.com")
    page = signed_in_page("owner", name="Camille")
    page.goto(f"{live_server}/customers/{customer_id}")
    line = page.locator("#consent-email_marketing")
    expect(line.locator("[data-state]")).to_have_text("Inconnu")
    line.locator("summary").click()
    expect(line.locator("input[name=state]:checked")).to_have_count(0)  # never pre-ticked
    expect(line.locator(".consent-question")).to_contain_text("Acceptez-vous de recevoir nos offres")

    line.get_by_label("Oui").check()
    line.get_by_role("button", name="Enregistrer").click()

    card = page.locator("#consent")
    expect(card.locator("#consent-email_marketing [data-state]")).to_have_text("Oui")
    expect(card.locator(".saved")).to_contain_text("Enregistré")
    card.locator(".consent-history summary").click()
    expect(card.locator(".consent-events")).to_contain_text("Au comptoir · par Camille")
    expect(page).to_have_url(f"{live_server}/customers/{customer_id}")  # saved in place, no reload
    from extensions import db
    from models import Customer
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert [(c.purpose, c.state) for c in customer.consents] == [("email_marketing", "yes")]
