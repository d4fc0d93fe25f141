"""Concurrency tests: real HTTP requests from real threads against the app
served on a free local port, each thread with its own signed-in session. They
run on SQLite and on PostgreSQL (TEST_DATABASE_URL), with no browser."""
from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One employee's own session: a cookie jar and the CSRF token of its pages."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)
        self.token = ""

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str, page: str = "/loyalty/points/redeem") -> None:
        _, html = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 302, status
        # A fresh page after sign-in: the token htmx sends is tied to this session.
        status, html = self.request("GET", page)
        assert status == 200, status
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)

    def post(self, path: str, data: dict) -> int:
        status, _ = self.request("POST", path, data, headers={"X-CSRFToken": self.token, "HX-Request": "true"})
        return status


def run_together(browsers, action) -> list[int]:
    """Start `action(browser)` in one thread per browser at the same instant;
    the statuses, every exception reported (never swallowed)."""
    start = threading.Barrier(len(browsers))
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(browser) -> None:
        try:
            start.wait(timeout=30)
            status = action(browser)
        except BaseException as error:  # noqa: BLE001
            with lock:
                errors.append(error)
            return
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return sorted(statuses)


@pytest.fixture
def browsers(live_server):
    def make(count: int, email: str, page: str = "/loyalty/points/redeem") -> list[Browser]:
        made = [Browser(live_server) for _ in range(count)]
        for browser in made:
            browser.sign_in(email, page)
        return made
    return make
