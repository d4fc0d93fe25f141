"""Loyalty at the till on a counter tablet (768×1024): a member's sale uses
points and an earned reward in a few taps, the receipt shows the discount
lines, and a refund gives the balance and the reward back."""
import re
from datetime import timedelta

from playwright.sync_api import expect


def test_redeem_points_and_a_reward_then_refund_gives_everything_back(app, signed_in_page, live_server,
                                                                      make_customer):
    from blueprints.loyalty.points import add_points
    from extensions import db
    from models import Customer, Reward
    from models.base import utcnow

    customer_id = make_customer(first_name="Élodie", last_name="Dupont", loyalty_member=True)
    with app.test_request_context():
        add_points(customer_id, 300, employee_id=None)
        reward = Reward(customer_id=customer_id, name="Café offert", earned_at=utcnow(),
                        expires_at=utcnow() + timedelta(days=30), kind="item", item_name="Café")
        db.session.add(reward)
        db.session.commit()
        reward_id = reward.id

    page = signed_in_page("manager")
    assert page.viewport_size == {"width": 768, "height": 1024}
    page.goto(f"{live_server}/sales/new")

    # The member, then two items.
    page.fill("#customer_q", "dupo")
    page.locator(".customer-hit", has_text="Élodie Dupont").click()
    expect(page.locator(".customer-panel")).to_be_visible()
    page.fill("input[name=entry_name]", "Café")
    page.fill("input[name=entry_price]", "3")
    page.press("input[name=entry_price]", "Enter")
    expect(page.locator("table.sale-lines td.line-name")).to_have_count(1)
    page.fill("input[name=entry_name]", "Menu du jour")
    page.fill("input[name=entry_price]", "17")
    page.press("input[name=entry_price]", "Enter")
    expect(page.locator("#sale-total .total-amount")).to_have_text(re.compile(r"20,00\s€"))

    # Her balance and earned reward show in the sale; one tap each.
    loyalty = page.locator(".sale-loyalty")
    expect(loyalty.locator(".loyalty-balance")).to_have_text("300 points")
    loyalty.locator(".use-reward", has_text="Café offert").click()
    expect(page.locator(".discount-line[data-kind=reward]")).to_contain_text("−3,00")
    expect(page.locator("#sale-total .total-amount")).to_have_text(re.compile(r"17,00\s€"))
    use_points = page.locator(".use-points")
    expect(use_points).to_contain_text("Utiliser 300 points")
    use_points.click()
    expect(page.locator(".discount-line[data-kind=points]")).to_contain_text("−15,00")
    expect(page.locator("#sale-total .total-amount")).to_have_text(re.compile(r"2,00\s€"))

    checkout = page.get_by_role("button", name="Encaisser")
    expect(checkout).to_be_in_viewport()
    checkout.click()

    # The receipt: discount lines, points spent, points earned on the 2 € paid.
    page.wait_for_url(re.compile(r"/sales/\d+$"))
    receipt = page.locator(".receipt-items")
    expect(receipt).to_contain_text("Récompense : Café offert")
    expect(receipt).to_contain_text("Points de fidélité")
    expect(page.locator(".points-spent")).to_contain_text("300 points utilisés")
    expect(page.locator(".points-earned")).to_contain_text("+2 points gagnés")
    expect(page.locator(".points-balance")).to_have_text("2")

    # Refund: everything comes back.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rembourser", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text("Vente remboursée.")
    expect(page.locator("body")).to_contain_text("300 points utilisés dans la vente sont rendus au client.")
    expect(page.locator("body")).to_contain_text("Récompense « Café offert » rendue : de nouveau Obtenue.")
    expect(page.locator(".points-balance")).to_have_text("300")

    # The member's panel agrees: the balance, and the reward Obtenue again.
    page.goto(f"{live_server}/loyalty/members/{customer_id}")
    expect(page.locator(".balance-value")).to_have_text("300")
    expect(page.locator(f"#reward-{reward_id}")).to_have_attribute("data-status", "earned")
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert (customer.points_balance, customer.visit_count) == (300, 0)
        assert db.session.get(Reward, reward_id).claimed_at is None
