"""axe-core over the main pages: no serious or critical violation (issue 14).

axe.min.js comes from the axe-playwright-python package (pinned in
requirements.txt). The app's CSP forbids injected scripts; this test's browser
context alone bypasses it (bypass_csp), and axe's source runs through
page.evaluate."""
from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.mark.parametrize("device", ["phone", "tablet"])
def test_main_pages_have_no_serious_accessibility_violation(browser, live_server, demo_shop, device):
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
        page.locator(".topbar .usermenu > summary").click()
        found["account menu"] = _check(page, source)
    finally:
        context.close()
    found = {name: violations for name, violations in found.items() if violations}
    assert not found, found
