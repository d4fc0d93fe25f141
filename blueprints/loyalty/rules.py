"""What every loyalty rule shares: LoyaltyError, which a refusal raises with
the form field it belongs to, and the clean form of a typed name.

The rules themselves live one job a module: members.py (the list),
enrolment.py (joining and leaving the programme), contact.py (names and
phones), groups.py, manual_points.py (points typed by an employee; the
ledger is points.py), rewards.py, reward_types.py (the catalogue) and
programme_settings.py. They take plain arguments and the database session;
they flush but never commit (the route commits once, or rolls back).
"""
from __future__ import annotations

import re

# The longest first or last name a member may have.
NAME_MAX = 100
_SPACES = re.compile(r"\s+")


class LoyaltyError(ValueError):
    """A rule refused the change; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def clean_name(value: str | None) -> str:
    """What was typed, trimmed, its runs of white space made one space."""
    return _SPACES.sub(" ", (value or "").strip())


def names_of(customers) -> str:
    """The customers a refusal is about, for its message ("Élodie Dupont, Paul Durand")."""
    return ", ".join(customer.display_name for customer in customers)
