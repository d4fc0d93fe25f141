"""Concurrency tests: real concurrent HTTP requests, each from its own
signed-in session, against the app served from a thread (the same live
server as the browser tests, without a browser); and a real consumer of the
job queue in its own process, that a test can kill. Run on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import PASSWORD


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

    def sign_in(self, email: str, page: str = "/sales/new") -> "Till":
        _, html = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 302, status
        # A fresh page after sign-in: the token htmx sends is tied to this session.
        status, html = self.request("GET", page)
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



run_together = race


@pytest.fixture
def browsers(live_server):
    """browsers(count, email, page): signed-in sessions, each with the CSRF token of `page`."""
    def make(count: int, email: str, page: str = "/loyalty/points/redeem") -> list[Till]:
        return [Till(live_server).sign_in(email, page) for _ in range(count)]
    return make

# --- a real consumer of the job queue ----------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


class Consumer:
    """`flask jobs` in its own process, on the test database and a queue file of its own."""

    def __init__(self, app, queue_file: Path, log: Path, **env):
        self.env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                    "QUEUE_URL": f"sqlite:///{queue_file}", "SECRET_KEY": "test-secret-key",
                    "FLASK_APP": "app", **{k: str(v) for k, v in env.items()}}
        self.env.pop("REDIS_URL", None)
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        handle = self.log.open("a")
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "--workers", "1"],
                                        cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def real_queue(app, tmp_path):
    """Tasks enqueued by this test go to a SQLite queue file that a real
    consumer process reads (instead of running in the test's own process)."""
    from huey.storage import SqliteStorage

    from extensions import huey
    queue_file = tmp_path / "queue.sqlite3"
    saved = huey.storage, huey._immediate
    huey._immediate = False
    huey.storage = SqliteStorage("comptoir", filename=str(queue_file))
    consumers: list[Consumer] = []

    def consumer(**env) -> Consumer:
        made = Consumer(app, queue_file, tmp_path / "consumer.log", **env)
        consumers.append(made)
        return made

    yield consumer
    for made in consumers:
        made.stop()
    huey.storage, huey._immediate = saved


def wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
