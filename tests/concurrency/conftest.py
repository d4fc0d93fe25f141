"""Real processes and concurrent requests, on the suite's database (SQLite or
PostgreSQL): a consumer of the job queue that can be killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
