"""The demo's accounts, whose password is public: whether one can still sign
in (every page then says so), and closing them before a real shop starts here.
"""
from __future__ import annotations

import secrets

from sqlalchemy import func, select

from core import sessions
from core.passwords import hash_password
from extensions import db
from models import Employee

# Printed in the README and on the sign-in summary of `flask demo`.
PASSWORD = "comptoir-demo"
# The demo's accounts share this domain.
DEMO_DOMAIN = "@demo.test"


def has_demo_accounts() -> bool:
    """True while an active demo account can sign in: every page says so."""
    return bool(db.session.scalar(select(func.count(Employee.id)).where(
        Employee.active.is_(True), Employee.email.like(f"%{DEMO_DOMAIN}"))))


def retire_demo_accounts() -> int:
    """Close the demo accounts (deactivated, an unusable password, signed out
    everywhere), keeping them for the history they signed. The caller commits."""
    employees = list(db.session.scalars(select(Employee).where(Employee.email.like(f"%{DEMO_DOMAIN}"))))
    for employee in employees:
        employee.active = False
        employee.password_hash = hash_password(secrets.token_urlsafe(32))
        sessions.end_all(employee.id)
    return len(employees)
