"""The database is down: the answer still speaks the user's language, as a
503 the page and htmx can retry, and never Flask's bare English 500 (issue 12).
It recovers by itself when the database is back."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event


@contextlib.contextmanager
def database_down(app):
    """Every new connection is refused, as when the server is stopped."""
    from extensions import db
    with app.app_context():
        engine = db.engine
        error = engine.dialect.loaded_dbapi.OperationalError

        def refuse(*_args, **_kwargs):
            raise error("connection refused (test: the database is down)")

        engine.dispose()
        event.listen(engine, "do_connect", refuse)
    try:
        yield
    finally:
        with app.app_context():
            event.remove(engine, "do_connect", refuse)
            engine.dispose()


@pytest.mark.parametrize("language, expected", [("fr", "momentanément indisponible"),
                                                ("en", "temporarily unavailable")])
def test_a_signed_in_page_answers_503_in_the_users_language(app, signed_in, language, expected):
    client = signed_in("owner", language=language)
    with database_down(app):
        response = client.get("/customers")
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert expected in body and "Internal Server Error" not in body
    assert response.headers["Retry-After"]
    assert f'lang="{language}"' in body
    # Back by itself.
    assert client.get("/customers").status_code == 200


def test_an_htmx_request_gets_the_message_fragment(app, signed_in):
    client = signed_in("owner", language="en")
    with database_down(app):
        response = client.get("/customers?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response.get_data(as_text=True).strip() == \
        '<p class="error-message">The service is temporarily unavailable. Try again in a few moments.</p>'


def test_a_write_gets_the_message_too(app, signed_in, make_customer):
    customer_id = make_customer()
    client = signed_in("owner")
    with database_down(app):
        response = client.post(f"/customers/{customer_id}/archive", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert "momentanément indisponible" in response.get_data(as_text=True)


def test_the_sign_in_page_answers_503_in_french(app, client, make_employee):
    make_employee("owner")
    with database_down(app):
        response = client.post("/login", data={"email": "owner@test.example", "password": "x"})
    assert response.status_code == 503
    assert "momentanément indisponible" in response.get_data(as_text=True)


def test_another_error_with_the_database_up_still_shows_the_employee(app, signed_in, monkeypatch):
    import blueprints.customers.routes_directory as routes_directory
    client = signed_in("owner", name="Odile Owner")

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(routes_directory, "render_htmx", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/customers")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "rien n’a été enregistré" in body.replace("&#39;", "'")
    assert "Odile Owner" in body


def test_a_conflict_no_service_caught_is_a_409_not_a_500(app, signed_in, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    import blueprints.customers.routes_directory as routes_directory
    client = signed_in("owner")

    def conflict(*_args, **_kwargs):
        raise StaleDataError("UPDATE statement on table 'customers' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(routes_directory, "render_htmx", conflict)
    response = client.get("/customers", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "modifiées entre-temps" in response.get_data(as_text=True)
