"""axe-core over the main pages: no serious or critical violation (issue 14).

axe.min.js comes from the axe-playwright-python package (pinned in
requirements.txt). The app's CSP forbids injected scripts; this test's browser
context alone bypasses it (bypass_csp), and axe's source runs through
page.evaluate."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_counter_layout import DEVICES, _open, _pages, _settle, demo_shop  # noqa: F401

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def _axe_source() -> str:
    import axe_playwright_python
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _check(page, source: str) -> list[str]:
    _settle(page)
    page.evaluate(source)
    return page.evaluate(RUN)


def _contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""
    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in colour[colour.index("(") + 1:-1].split(",")[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _flag_one_customer_for_review(app):
    from extensions import db
    from models import Customer
    with app.app_context():
        db.session.scalars(db.select(Customer).limit(1)).one().needs_review = True
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("device", ["phone", "tablet"])
def test_main_pages_have_no_serious_accessibility_violation(app, browser, live_server, demo_shop, device):
    _flag_one_customer_for_review(app)  # so the top bar shows the inbox's count
    source = _axe_source()
    found = {}
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **DEVICES[device])
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        found["login"] = _check(page, source)
    finally:
        context.close()
    context, page = _open(browser, live_server, device, "fr", bypass_csp=True)
    try:
        for name, path, action in _pages(demo_shop["member_id"]):
            page.goto(live_server + path)
            if action:
                action(page)
            found[name] = _check(page, source)
        page.goto(f"{live_server}/loyalty")
        page.locator(".panel-button").first.click()
        page.locator("#member-dialog").wait_for(state="visible")
        found["panel dialog"] = _check(page, source)
        page.goto(f"{live_server}/customers")
        if device == "tablet":  # the phone's top bar folds the links into a menu
            badge = page.locator(".topbar .badge:visible")
            expect(badge).to_have_count(1)
            # axe passed the count's white-on-light-grey: measured here.
            colours = badge.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
            assert _contrast(*colours) >= 4.5, colours
        page.locator(".topbar .usermenu > summary").click()
        found["account menu"] = _check(page, source)
    finally:
        context.close()
    found = {name: violations for name, violations in found.items() if violations}
    assert not found, found
