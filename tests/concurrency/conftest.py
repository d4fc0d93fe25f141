"""Concurrency tests: real concurrent HTTP requests, each from its own
signed-in session, against the app served from a thread (the same live
server as the browser tests, without a browser). Run on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""
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


class Till:
    """One employee's own session at a till: a cookie jar and the CSRF token of its pages."""

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

    def sign_in(self, email: str) -> "Till":
        _, html = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 302, status
        status, html = self.request("GET", "/sales/new")
        assert status == 200, status
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
        return self

    def post(self, path: str, data: dict) -> int:
        status, _ = self.request("POST", path, data, headers={"X-CSRFToken": self.token, "HX-Request": "true"})
        return status


def race(tills: list[Till], work) -> list[int]:
    """Every till runs work(till) at the same instant; their statuses, sorted.
    An exception in any thread fails the test (never swallowed)."""
    start = threading.Barrier(len(tills))
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(till: Till) -> None:
        try:
            start.wait(timeout=30)
            status = work(till)
        except BaseException as error:
            with lock:
                errors.append(error)
            return
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(till,)) for till in tills]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return sorted(statuses)
