"""Reliability: fifty concurrent redeems against one balance, each from its own
signed-in HTTP session against the running app (the live_server thread), end
exactly right and never below zero — on SQLite and on PostgreSQL."""
from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.support_loyalty import member

THREADS = 50
BALANCE = 100
EACH = 10


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One employee's own session: a cookie jar and the CSRF token of its pages."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str) -> None:
        _, html = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 302, status
        # A fresh page after sign-in: the token htmx sends is tied to this session.
        status, html = self.request("GET", "/loyalty/points/redeem")
        assert status == 200, status
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)

    def redeem(self, username: str, points: int) -> int:
        status, _ = self.request("POST", "/loyalty/points/redeem", {"username": username, "points": str(points)},
                                 headers={"X-CSRFToken": self.token, "HX-Request": "true"})
        return status


def test_fifty_concurrent_redeems_spend_the_balance_exactly_once(app, live_server, make_employee, make_customer):
    member_id = member(app, make_customer, email="elodie@example.fr", points=BALANCE)
    make_employee("cashier")
    browsers = [Browser(live_server) for _ in range(THREADS)]
    for browser in browsers:
        browser.sign_in("cashier@test.example")

    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(browser: Browser) -> None:
        try:
            start.wait(timeout=30)
            status = browser.redeem("elodie@example.fr", EACH)
        except BaseException as error:  # reported below, never swallowed
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
    assert sorted(statuses) == [200] * (BALANCE // EACH) + [422] * (THREADS - BALANCE // EACH)

    from extensions import db
    from models import Customer, PointsEntry
    with app.app_context():
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == member_id))
        ledger = db.session.scalar(select(func.sum(PointsEntry.delta)).where(PointsEntry.customer_id == member_id))
        redeems = db.session.scalar(select(func.count()).select_from(PointsEntry)
                                    .where(PointsEntry.customer_id == member_id, PointsEntry.kind == "redeem"))
    assert (balance, ledger, redeems) == (0, 0, BALANCE // EACH)
