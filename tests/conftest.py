"""Fixtures shared by every test.

The database is SQLite in a temporary file by default, or the PostgreSQL
database named by TEST_DATABASE_URL. The schema is built once per run by the
migrations themselves (so they are tested too) and emptied after every test.
"""
from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"


class CSRFClient(FlaskClient):
    """A test client that sends the CSRF header htmx would send, like a real
    page does. Set `client.send_csrf = False` to prove a request without it fails."""

    send_csrf = True

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if self.send_csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            if "csrf_token" not in session:
                session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = session["csrf_token"]
        secret = self.application.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def htmx(self, method: str, url: str, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers["HX-Request"] = "true"
        return self.open(url, method=method.upper(), headers=headers, **kwargs)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix):]
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from app import create_app
    from extensions import db

    url = _database_url(tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "FAST_PASSWORD_HASH": True,
        "RATELIMIT_ENABLED": True,
        "SERVER_NAME": None,
        "COMPTOIR_INSTANCE": str(instance),
        "QUEUE_IMMEDIATE": True,
    })
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        from flask_migrate import upgrade
        upgrade(directory=str(ROOT / "migrations"))
    yield application


@pytest.fixture(scope="session", autouse=True)
def _record_database(app, record_testsuite_property):
    """The database the run used, in the JUnit report: .ci/run checks that its
    PostgreSQL stage ran on PostgreSQL."""
    from extensions import db
    with app.app_context():
        record_testsuite_property("database", db.engine.dialect.name)


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts from an empty shop."""
    yield
    from extensions import db, limiter
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        for attempt in range(5):
            try:
                with db.engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        connection.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
                    else:
                        for table in tables:
                            connection.execute(text(f'DELETE FROM "{table}"'))
                break
            except OperationalError:
                # A browser test's last request may still be answered by the live
                # server: TRUNCATE, which locks table after table, can deadlock
                # with it on PostgreSQL. That request ends quickly; try again.
                if attempt == 4:
                    raise
                time.sleep(0.5)
        limiter.reset()


@pytest.fixture(scope="session")
def live_server(app):
    """The app served from a thread on a free local port: for browser and
    concurrency tests, which send real HTTP requests."""
    import threading

    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def db_session(app):
    """An application context and the database session, for service tests."""
    from extensions import db
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app) -> CSRFClient:
    app.test_client_class = CSRFClient
    return app.test_client()


# --- building what a test needs -------------------------------------------

@pytest.fixture
def shop(app):
    """The default permission sets, one location and the shop settings."""
    from blueprints.auth.service import ensure_default_sets
    from extensions import db
    from models import Location, ShopSettings
    with app.app_context():
        sets = ensure_default_sets()
        ShopSettings.get()
        location = Location(name="Boutique Centre")
        db.session.add(location)
        db.session.commit()
        return {"sets": {name: s.id for name, s in sets.items()}, "location_id": location.id}


ROLE_SETS = {"owner": "Propriétaire", "manager": "Gérant", "cashier": "Employé"}


@pytest.fixture
def make_employee(app, shop):
    from extensions import db
    from models import Employee, PermissionSet
    from core.passwords import hash_password

    def make(role: str = "owner", email: str | None = None, set_name: str | None = None,
             capabilities: set[str] | None = None, language: str = "fr", **fields) -> int:
        with app.app_context():
            if capabilities is not None:
                permission_set = PermissionSet(name=set_name or f"Custom {role} {os.urandom(3).hex()}")
                permission_set.capabilities = capabilities
                db.session.add(permission_set)
                db.session.flush()
            else:
                permission_set = db.session.get(PermissionSet, shop["sets"][set_name or ROLE_SETS[role]])
            employee = Employee(name=fields.pop("name", role.title()), email=email or f"{role}@test.example",
                                password_hash=hash_password(PASSWORD), permission_set_id=permission_set.id,
                                language=language, **fields)
            db.session.add(employee)
            db.session.commit()
            return employee.id

    return make


def sign_in(client: CSRFClient, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def signed_in(app, client, make_employee):
    """signed_in("cashier") -> a client signed in as a new employee of that role.
    signed_in(capabilities={...}) for a custom permission set."""

    def login(role: str = "owner", **kwargs) -> CSRFClient:
        employee_id = make_employee(role, **kwargs)
        from extensions import db
        from models import Employee
        with app.app_context():
            email = db.session.get(Employee, employee_id).email
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        client.employee_id = employee_id
        return client

    return login


@pytest.fixture
def make_customer(app, shop):
    """make_customer(first_name="Élodie", phones=["06 12 34 56 78"]) -> customer id."""
    from blueprints.customers.service import create_customer
    from extensions import db

    def make(**fields) -> int:
        fields.setdefault("first_name", "Jeanne")
        fields.setdefault("last_name", "Martin")
        with app.app_context():
            customer = create_customer(**fields)
            db.session.commit()
            return customer.id

    return make


def csrf_from_html(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
