"""The demo shop belongs to the demo database only, says so on every page,
and its public accounts do not stay beside a real owner (issue 12)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select


def _employees(app) -> int:
    from extensions import db
    from models import Employee
    with app.app_context():
        return db.session.scalar(select(func.count(Employee.id)))


def test_demo_if_empty_leaves_another_database_to_the_setup_page(app, client, monkeypatch):
    monkeypatch.delenv("COMPTOIR_DEMO", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop@db.internal/comptoir")
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty", "--customers", "5"])
    assert result.exit_code == 0, result.output
    assert "demo not loaded" in result.output
    assert _employees(app) == 0
    assert client.get("/login").headers["Location"].endswith("/setup")


def test_demo_if_empty_loads_when_asked_with_comptoir_demo(app, monkeypatch):
    monkeypatch.setenv("COMPTOIR_DEMO", "1")
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty", "--customers", "5"])
    assert result.exit_code == 0, result.output
    assert _employees(app) == 3


def test_the_default_instance_file_is_the_demo_database(app, monkeypatch):
    from pathlib import Path

    from demo.destination import is_demo_database
    monkeypatch.delenv("COMPTOIR_DEMO", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert not is_demo_database(app)  # the tests' own database
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI",
                        f"sqlite:///{Path(app.instance_path) / 'comptoir.sqlite3'}")
    assert is_demo_database(app)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    assert not is_demo_database(app)


@pytest.fixture
def demo_shop(app, monkeypatch):
    from demo.build import build_demo_shop
    with app.app_context():
        build_demo_shop(customer_count=5, echo=lambda *_: None)


@pytest.mark.parametrize("url", ["/login", "/customers", "/sales/new", "/team"])
def test_a_demo_shop_says_so_on_every_page(app, demo_shop, url):
    from tests.conftest import CSRFClient
    app.test_client_class = CSRFClient
    client = app.test_client()
    if url != "/login":
        assert client.post("/login", data={"email": "owner@demo.test", "password": "comptoir-demo"}).status_code == 302
    assert "Boutique de démonstration" in client.get(url).get_data(as_text=True)


def test_a_real_shop_has_no_banner(signed_in):
    assert "Boutique de démonstration" not in signed_in("owner").get("/customers").get_data(as_text=True)


def test_create_owner_refuses_to_run_beside_the_demo_accounts(app, demo_shop):
    runner = app.test_cli_runner()
    args = ["create-owner", "--name", "Léa Roux", "--email", "lea@boutique.example",
            "--password", "cactus-violon-marée-42"]
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0 and "demo" in refused.output
    assert _employees(app) == 3
    done = runner.invoke(args=args + ["--close-demo-accounts"])
    assert done.exit_code == 0, done.output
    from tests.conftest import CSRFClient
    app.test_client_class = CSRFClient
    client = app.test_client()
    assert client.post("/login", data={"email": "owner@demo.test", "password": "comptoir-demo"}).status_code == 401
    assert client.post("/login", data={"email": "lea@boutique.example",
                                       "password": "cactus-violon-marée-42"}).status_code == 302
    assert "Boutique de démonstration" not in client.get("/customers").get_data(as_text=True)
