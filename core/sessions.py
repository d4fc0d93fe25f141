"""Server-side sign-in sessions.

Flask's cookie session would stay valid after logout if copied; so the cookie
holds a random token whose hash is a row of employee_sessions. Each request
checks the row: logout deletes it, deactivation and a password change delete
all of an employee's rows, and a changed permission set applies on the next
request because capabilities are read fresh each time.

A row also ends by itself: after SESSION_IDLE_TIMEOUT without a request (12 h
by default: a counter tablet stays signed in for a shift) and
SESSION_ABSOLUTE_LIFETIME after sign-in, whatever the cookie says. The
sign-in page then says why.
"""
import hashlib
import secrets

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, or_, select, update

from extensions import db, login_manager
from models import Employee, EmployeeSession
from models.base import utcnow

_SESSION_KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expired_condition(now):
    return or_(EmployeeSession.last_seen_at < now - current_app.config["SESSION_IDLE_TIMEOUT"],
               EmployeeSession.created_at < now - current_app.config["SESSION_ABSOLUTE_LIFETIME"])


def start(employee: Employee) -> None:
    token = secrets.token_urlsafe(32)
    # Rows of browsers that never came back are swept here.
    db.session.execute(delete(EmployeeSession).where(_expired_condition(utcnow())))
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
        # The session row and its employee (with their set) in one query: every request asks.
        row = db.session.execute(
            select(Employee, EmployeeSession.id, EmployeeSession.created_at, EmployeeSession.last_seen_at)
            .join(EmployeeSession, EmployeeSession.employee_id == Employee.id)
            .where(EmployeeSession.token_hash == _digest(token), Employee.id == int(employee_id))
        ).first()
        if row is None:
            return None
        employee = row.Employee
        now = utcnow()
        reason = _expiry_reason(row, now)
        if reason:
            db.session.execute(delete(EmployeeSession).where(EmployeeSession.id == row.id))
            db.session.commit()
            g.session_end_reason = reason
            return None
        if not employee.active:
            return None
        # Touch the row at most once a minute; it tells the team page who is on.
        if (now - row.last_seen_at).total_seconds() > 60:
            db.session.execute(update(EmployeeSession).where(EmployeeSession.id == row.id)
                               .values(last_seen_at=now))
            db.session.commit()
        return employee

    @app.before_request
    def drop_dead_cookie():
        # A cookie that names an employee whose session row is gone: clear it so
        # the browser is signed out for good (keeping its language), and say
        # why when the session ran out of time.
        if "_user_id" in session and not current_user.is_authenticated and request.endpoint != "static":
            language = session.get("language")
            session.clear()
            if language:
                session["language"] = language
            reason = g.pop("session_end_reason", None)
            if reason == "idle":
                hours = round(app.config["SESSION_IDLE_TIMEOUT"].total_seconds() / 3600, 1)
                flash(_("Votre session a pris fin après %(hours)s h sans activité. Reconnectez-vous.",
                        hours=f"{hours:g}"), "info")
            elif reason == "lifetime":
                flash(_("Votre session a atteint sa durée maximale. Reconnectez-vous."), "info")


def _expiry_reason(row, now) -> str | None:
    config = current_app.config
    if now - row.created_at > config["SESSION_ABSOLUTE_LIFETIME"]:
        return "lifetime"
    if now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        return "idle"
    return None
