"""Every state-changing route of the URL map refuses a request without a CSRF
token, or with another session's token: 400, and nothing written (issue 12).

The routes are read from the URL map, not listed, so a route added later (or
a `@csrf.exempt` slipped onto one) is caught here.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import inspect, text

from tests.conftest import sign_in
from tests.web.test_input_guards import _fill, world  # noqa: F401  (the fixture)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# What a real form of these routes would carry, so that only the token is missing.
PLAUSIBLE = {"name": "Nouveau", "first_name": "Léa", "last_name": "Roux", "email": "lea@test.example",
             "points": "5", "reason": "test", "value": "Léa", "confirm": "1", "version": "1",
             "default_discount": "50", "account_profile": "vip", "comments": "note", "capability": "loyalty.points",
             "granted": "1", "level": "edit", "language": "en", "action": "void", "password": "x",
             "username": "06 12 34 56 78", "payment_method": "cash", "line_name": "Café", "line_qty": "1",
             "line_price": "350", "secondary": "2", "permission_set": "1", "source": "1"}
# Changes on every request by design: when the session was last seen.
IGNORED_COLUMNS = {("employee_sessions", "last_seen_at")}


def _fingerprint(app) -> dict[str, str]:
    """One digest per table of everything it holds."""
    from extensions import db
    digests = {}
    with app.app_context():
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                columns = [c for c in inspect(connection).get_columns(table.name)
                           if (table.name, c["name"]) not in IGNORED_COLUMNS]
                names = ", ".join(f'"{c["name"]}"' for c in columns)
                rows = connection.execute(text(f'SELECT {names} FROM "{table.name}" ORDER BY 1')).all()
                digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def _write_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods & WRITE_METHODS):
            yield rule, method


def _attempts(app, world, client, token_headers, token_form):  # noqa: F811
    failures = []
    for rule, method in _write_routes(app):
        url = _fill(rule, world)
        before = _fingerprint(app)
        for hx in (False, True):
            headers = {**token_headers, **({"HX-Request": "true"} if hx else {})}
            response = client.open(url, method=method, data={**PLAUSIBLE, **token_form}, headers=headers)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or "expiré" not in body:
                failures.append((method, url, hx, response.status_code))
        changed = [name for name, digest in _fingerprint(app).items() if before[name] != digest]
        if changed:
            failures.append((method, url, "wrote", changed))
    return failures


def test_the_url_map_has_write_routes_to_check(app):
    assert len(list(_write_routes(app))) > 40


def test_every_write_route_refuses_a_request_without_a_token(app, world):  # noqa: F811
    client = world["client"]
    client.send_csrf = False
    assert _attempts(app, world, client, {}, {}) == []
    client.send_csrf = True
    # The same client with its token is let through (the refusals above were the token's doing).
    assert client.post(f"/customers/{world['customer_id']}/archive").status_code in (200, 302)


def test_every_write_route_refuses_another_sessions_token(app, world, make_employee):  # noqa: F811
    other = app.test_client()
    make_employee("manager")
    assert sign_in(other, "manager@test.example").status_code == 302
    from tests.conftest import CSRFClient
    foreign = CSRFClient.csrf_token(other)  # a valid token, of the other session
    client = world["client"]
    client.send_csrf = False
    assert _attempts(app, world, client, {"X-CSRFToken": foreign}, {"csrf_token": foreign}) == []
