"""Sign-in throttling that holds across workers and servers (issue 12).

Two layers: Flask-Limiter per client address, in storage every worker shares
(Redis), and a per-email-address throttle kept in the database, so that the
embedded default (SQLite, memory://) holds too. Time is never waited for:
the throttle takes `now`, and tests move it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, ROOT, sign_in


def _failures(app) -> int:
    from extensions import db
    from models import SignInFailure
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(SignInFailure.failures), 0)))


def test_an_address_is_throttled_after_five_failures_whatever_the_client_address(app, client, make_employee):
    make_employee("owner")
    statuses = []
    for attempt in range(7):
        # A new client address each time: Flask-Limiter alone would never stop this.
        response = client.post("/login", data={"email": "owner@test.example", "password": "wrong"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"})
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429, 429]
    response = client.post("/login", data={"email": "owner@test.example", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 429, "the right password must not get through a throttled address"
    assert "Trop de tentatives pour cette adresse" in response.get_data(as_text=True)


def test_an_unknown_address_is_throttled_like_a_known_one(app, client, make_employee):
    make_employee("owner")
    known = [sign_in(client, "owner@test.example", "wrong").status_code for _ in range(6)]
    client.post("/logout")
    unknown = [client.post("/login", data={"email": "nobody@test.example", "password": "wrong"},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(6)]
    assert known == unknown == [401] * 5 + [429]


def test_the_delay_doubles_after_each_further_failure_and_success_clears_it(app, make_employee):
    from blueprints.auth.service import SignInThrottled, authenticate
    from blueprints.auth.throttle import seconds_to_wait
    from extensions import db
    from models.base import utcnow
    make_employee("owner")
    with app.test_request_context():
        now = utcnow()
        waits = []
        for _ in range(8):
            assert authenticate("owner@test.example", "wrong", now=now) is None
            db.session.commit()
            waits.append(seconds_to_wait("OWNER@test.example ", now))
            now += timedelta(seconds=waits[-1])  # wait exactly as long as asked
        assert waits == [0, 0, 0, 0, 30, 60, 120, 240]
        with pytest.raises(SignInThrottled):
            authenticate("owner@test.example", PASSWORD, now=now - timedelta(seconds=1))
        assert authenticate("owner@test.example", PASSWORD, now=now) is not None
        db.session.commit()
        assert seconds_to_wait("owner@test.example", now) == 0
        assert authenticate("owner@test.example", "wrong", now=now) is None
        db.session.commit()
        assert seconds_to_wait("owner@test.example", now) == 0, "one failure after a success is free again"


def test_the_delay_is_capped(app):
    from blueprints.auth.throttle import delay_after
    with app.app_context():
        assert delay_after(4) == 0
        assert delay_after(10) == 900
        assert delay_after(10_000) == 900


def test_failures_are_stored_without_the_address(app, client, make_employee):
    from extensions import db
    from models import SignInFailure
    make_employee("owner")
    sign_in(client, "someone.secret@test.example", "wrong")
    with app.app_context():
        rows = db.session.scalars(select(SignInFailure)).all()
        assert len(rows) == 1
        assert "secret" not in rows[0].email_hash and len(rows[0].email_hash) == 64


def test_an_unknown_email_costs_one_verification_and_no_hashing(app, client, make_employee, monkeypatch):
    """Same work as a wrong password, so timing does not reveal who works here."""
    from core import passwords
    make_employee("owner")
    calls = {"hash": 0, "verify": 0}
    real_hash, real_check = passwords.hash_password, passwords.check_password

    def counting_hash(password):
        calls["hash"] += 1
        return real_hash(password)

    def counting_check(password_hash, password):
        calls["verify"] += 1
        return real_check(password_hash, password)

    sign_in(client, "nobody@test.example", "wrong")  # the dummy hash is made once, beforehand
    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    monkeypatch.setattr(passwords, "check_password", counting_check)
    import blueprints.auth.service as service
    monkeypatch.setattr(service, "check_password", counting_check)
    for email in ("nobody2@test.example", "owner@test.example"):
        calls.update(hash=0, verify=0)
        assert sign_in(client, email, "wrong").status_code == 401
        assert calls == {"hash": 0, "verify": 1}, email


# --- Flask-Limiter's storage ------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_available() -> bool:
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001
        return False


def test_rate_limit_storage_comes_from_redis_url(monkeypatch, tmp_path):
    from config import build_config
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    assert build_config(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://limits.internal:6379/1")
    assert build_config(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://limits.internal:6379/1"


_WORKER = textwrap.dedent("""
    import sys
    from app import create_app
    from extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "RATELIMIT_STORAGE_URI": sys.argv[2],
                      "RATELIMIT_KEY_PREFIX": sys.argv[3], "RATELIMIT_SWALLOW_ERRORS": False,
                      "SECRET_KEY": "x", "FAST_PASSWORD_HASH": True, "WTF_CSRF_ENABLED": False,
                      "LOGIN_RATE_LIMIT": "4 per minute", "COMPTOIR_INSTANCE": sys.argv[5]})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade(directory="migrations")
        from blueprints.auth.service import create_owner
        from models import Employee
        if not db.session.query(Employee).count():
            create_owner("Owner", "owner@test.example", "correct-horse-battery")
            db.session.commit()
    client = app.test_client()
    print(" ".join(str(client.post("/login", data={"email": f"g{sys.argv[4]}{i}@test.example",
                                                   "password": "wrong"}).status_code) for i in range(3)))
""")


def test_two_workers_share_the_sign_in_limit_through_redis(tmp_path):
    """Two processes (two gunicorn workers) with Redis: 3 + 3 guesses against a
    limit of 4 a minute; the second worker must see the first one's failures."""
    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip("Redis is not running")
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    prefix = f"test-{uuid.uuid4().hex}"
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    outputs = []
    for worker in ("a", "b"):
        result = subprocess.run([sys.executable, str(script), database, REDIS_URL, prefix, worker,
                                 str(tmp_path / "instance")],
                                cwd=ROOT, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, result.stderr[-2000:]
        outputs.append(result.stdout.split())
    assert outputs == [["401", "401", "401"], ["401", "429", "429"]]
