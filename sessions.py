"""Server-side sign-in sessions.

Flask's cookie session would stay valid after logout if copied; so the cookie
holds a random token whose hash is a row of employee_sessions. Each request
checks the row: logout deletes it, deactivation and a password change delete
all of an employee's rows, and a changed permission set applies on the next
request because capabilities are read fresh each time.
"""
import hashlib
import secrets

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select, update

from extensions import db, login_manager
from models import Employee, EmployeeSession
from models.base import utcnow

_SESSION_KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(employee: Employee) -> None:
    token = secrets.token_urlsafe(32)
    db.session.add(EmployeeSession(token_hash=_digest(token), employee_id=employee.id))
    employee.last_login_at = utcnow()
    db.session.commit()
    session.clear()
    session.permanent = True
    login_user(employee)
    session[_SESSION_KEY] = token
    # Kept in the cookie too, so an error page can speak it without the database.
    session["language"] = employee.language


def end() -> None:
    token = session.get(_SESSION_KEY)
    if token:
        db.session.execute(delete(EmployeeSession).where(EmployeeSession.token_hash == _digest(token)))
        db.session.commit()
    logout_user()
    session.clear()


def end_all(employee_id: int) -> None:
    """End every session of an employee (deactivation, password change). The caller commits."""
    db.session.execute(delete(EmployeeSession).where(EmployeeSession.employee_id == employee_id))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # the server-side row is the protection

    @login_manager.user_loader
    def load_employee(employee_id: str):
        token = session.get(_SESSION_KEY)
        if not token:
            return None
        row = db.session.execute(
            select(EmployeeSession.id, EmployeeSession.last_seen_at)
            .where(EmployeeSession.token_hash == _digest(token),
                   EmployeeSession.employee_id == int(employee_id))
        ).first()
        if row is None:
            return None
        employee = db.session.get(Employee, int(employee_id))
        if employee is None or not employee.active:
            return None
        # Touch the row at most once a minute; it tells the team page who is on.
        now = utcnow()
        if (now - row.last_seen_at).total_seconds() > 60:
            db.session.execute(update(EmployeeSession).where(EmployeeSession.id == row.id)
                               .values(last_seen_at=now))
            db.session.commit()
        return employee

    @app.before_request
    def drop_dead_cookie():
        # A cookie that names an employee whose session row is gone: clear it so
        # the browser is signed out for good.
        if "_user_id" in session and not current_user.is_authenticated and request.endpoint != "static":
            session.clear()
