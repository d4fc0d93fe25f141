"""A whole sale on a counter tablet (768×1024): find the customer by typing,
fix their name inline, add two items, pay by card, see the points change."""
import re

from playwright.sync_api import expect


def test_whole_sale_at_the_counter(app, signed_in_page, live_server, make_customer):
    from blueprints.loyalty.points import add_points
    from extensions import db
    from models import Customer, Sale

    customer_id = make_customer(first_name="Elodi", last_name="Dupont", loyalty_member=True)
    with app.test_request_context():
        add_points(customer_id, 100, employee_id=None)
        db.session.commit()

    page = signed_in_page("cashier")
    assert page.viewport_size == {"width": 768, "height": 1024}
    page.goto(f"{live_server}/sales/new")

    # Find the customer by typing part of the name, without accents.
    page.fill("#customer_q", "dupo")
    hit = page.locator(".customer-hit", has_text="Elodi Dupont")
    expect(hit).to_be_visible()
    hit.click()
    panel = page.locator(".customer-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".panel-points")).to_have_text("100 points")

    # Fix the misspelt first name in place: click the name, type, Enter.
    panel.locator(".name-display").click()
    first_name = page.locator("#name-first_name")
    expect(first_name).to_be_focused()
    first_name.fill("Élodie")
    first_name.press("Enter")
    expect(panel.locator(".name-display")).to_contain_text("Élodie Dupont")

    # Two items: one with Enter, one with the button.
    page.fill("input[name=entry_name]", "Café")
    page.fill("input[name=entry_qty]", "2")
    page.fill("input[name=entry_price]", "3,50")
    page.press("input[name=entry_price]", "Enter")
    expect(page.locator("table.sale-lines td.line-name")).to_have_count(1)
    page.fill("input[name=entry_name]", "Tarte aux pommes")
    page.fill("input[name=entry_price]", "4,80")
    page.get_by_role("button", name="Ajouter l’article").click()
    expect(page.locator("table.sale-lines td.line-name")).to_have_count(2)
    expect(page.locator("#sale-total .total-amount")).to_have_text(re.compile(r"11,80\s€"))

    # Pay by card.
    page.locator("label.segment", has_text="Carte").click()
    page.select_option("#card_brand", "visa")
    page.fill("#card_last4", "4242")
    page.fill("#card_holder_name", "ELODIE DUPONT")
    checkout = page.get_by_role("button", name="Encaisser")
    expect(checkout).to_be_in_viewport()
    checkout.click()

    # The receipt: the points earned and the new balance.
    page.wait_for_url(re.compile(r"/sales/\d+$"))
    expect(page.locator(".flash")).to_contain_text("Vente enregistrée")
    expect(page.locator(".points-earned")).to_contain_text("+11 points gagnés")
    expect(page.locator(".points-balance")).to_have_text("111")

    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert (customer.first_name, customer.points_balance, customer.visit_count) == ("Élodie", 111, 1)
        sale = db.session.query(Sale).one()
        assert (sale.customer_id, sale.customer_link, sale.card_last4) == (customer_id, "chosen", "4242")
        assert [(i.name, i.quantity) for i in sale.items] == [("Café", 2), ("Tarte aux pommes", 1)]


def test_archived_customer_is_never_offered_at_the_counter(signed_in_page, live_server, make_customer):
    make_customer(first_name="Ancienne", last_name="Cliente", archived=True)
    make_customer(first_name="Nouvelle", last_name="Cliente")
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/sales/new")
    page.fill("#customer_q", "cliente")
    expect(page.locator(".customer-hit")).to_have_count(1)
    expect(page.locator(".customer-hit")).to_contain_text("Nouvelle Cliente")
