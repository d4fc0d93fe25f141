"""Sessions end on the server: after an idle time and an absolute lifetime,
whatever the cookie says, and the sign-in page says why (issue 12). Time is
moved by ageing the session row, never waited for."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update


def _age(app, employee_id: int, *, created: timedelta = timedelta(0), seen: timedelta = timedelta(0)) -> None:
    from extensions import db
    from models import EmployeeSession
    from models.base import utcnow
    now = utcnow()
    with app.app_context():
        db.session.execute(update(EmployeeSession).where(EmployeeSession.employee_id == employee_id)
                           .values(created_at=now - created, last_seen_at=now - seen))
        db.session.commit()


def _rows(app, employee_id: int) -> int:
    from extensions import db
    from models import EmployeeSession
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EmployeeSession)
                                 .where(EmployeeSession.employee_id == employee_id))


def test_a_session_idle_for_eleven_hours_still_works(app, signed_in):
    client = signed_in("owner")
    _age(app, client.employee_id, created=timedelta(hours=11), seen=timedelta(hours=11))
    assert client.get("/customers").status_code == 200


def test_a_session_idle_beyond_the_timeout_ends_and_the_sign_in_page_says_why(app, signed_in):
    client = signed_in("owner")
    _age(app, client.employee_id, created=timedelta(hours=13), seen=timedelta(hours=13))
    response = client.get("/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _rows(app, client.employee_id) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session a pris fin après 12 h sans activité" in page
    # Signed out for good: the same cookie again is not let in.
    assert client.get("/customers").status_code == 302


def test_a_session_in_daily_use_ends_at_its_absolute_lifetime(app, signed_in):
    client = signed_in("owner")
    _age(app, client.employee_id, created=timedelta(days=40), seen=timedelta(minutes=5))
    response = client.get("/customers")
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "durée maximale" in page


def test_an_htmx_request_of_an_expired_session_is_sent_to_sign_in(app, signed_in):
    client = signed_in("owner", language="en")
    _age(app, client.employee_id, created=timedelta(hours=13), seen=timedelta(hours=13))
    response = client.get("/customers?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert "/login" in response.headers["HX-Redirect"]
    assert "ended after 12 h without activity" in client.get("/login").get_data(as_text=True)


def test_the_idle_timeout_is_configurable(app, signed_in):
    client = signed_in("owner")
    _age(app, client.employee_id, created=timedelta(hours=3), seen=timedelta(hours=3))
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(hours=2)
    try:
        assert client.get("/customers").status_code == 302
        assert "après 2 h sans activité" in client.get("/login").get_data(as_text=True)
    finally:
        app.config["SESSION_IDLE_TIMEOUT"] = timedelta(hours=12)


@pytest.mark.parametrize("created, seen", [(timedelta(days=8), timedelta(0)), (timedelta(hours=13), timedelta(hours=13))])
def test_signing_in_sweeps_expired_rows_of_others(app, signed_in, make_employee, created, seen):
    from tests.conftest import sign_in
    first = signed_in("cashier")  # a tablet that never comes back
    _age(app, first.employee_id, created=created, seen=seen)
    make_employee("manager")
    assert sign_in(app.test_client(), "manager@test.example").status_code == 302
    assert _rows(app, first.employee_id) == 0


def test_the_cookie_does_not_outlive_the_server_session(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= app.config["SESSION_ABSOLUTE_LIFETIME"]
