"""Temporary passwords: the one a new employee is given, and a reset by the team's manager.

A temporary password is shown once and stored only as its hash; its holder
must change it at the next sign-in.
"""
from __future__ import annotations

import secrets

from core import sessions
from core.audit import record
from core.passwords import hash_password
from blueprints.team.owners import check_may_touch_owner
from models import Employee

# No 0/o, 1/l/i: read aloud or copied from a screen without mistakes.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generate_password() -> str:
    """A temporary password: three groups of four, about 59 bits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def reset_password(actor: Employee, employee: Employee) -> str:
    """A new temporary password (returned once); every session of the employee ends."""
    check_may_touch_owner(actor, employee.permission_set, employee)
    password = generate_password()
    employee.password_hash = hash_password(password)
    employee.must_change_password = True
    sessions.end_all(employee.id)
    record("password_reset", "employee", employee.id, employee_id=actor.id)
    return password
