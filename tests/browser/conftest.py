"""Browser tests: Playwright drives a real Chromium against the app served
from a thread on a free local port.

Playwright's own browser download is not possible on these machines, so
Debian's /usr/bin/chromium is launched through executable_path. Without a
browser a local run skips these tests with a clear line; under CI it fails.
"""
from __future__ import annotations

import os
import shutil

import pytest

CANDIDATES = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
              shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome")]


def find_chromium() -> str | None:
    for path in CANDIDATES:
        if path and os.path.exists(path) and os.access(path, os.X_OK):
            return path
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        message = "no Chromium found (apt-get install chromium): browser tests not run"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — required under CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 768, "height": 1024}, "locale": "fr-FR"}


@pytest.fixture
def signed_in_page(page, live_server, make_employee):
    """signed_in_page("cashier") -> a Playwright page signed in through the real form."""
    from tests.conftest import PASSWORD

    def login(role: str = "owner", **kwargs):
        employee_id = make_employee(role, **kwargs)
        from flask import current_app  # noqa: F401
        email = kwargs.get("email") or f"{role}@test.example"
        page.goto(f"{live_server}/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.employee_id = employee_id
        return page

    return login
