"""The error every sales service raises when a rule refuses a change. Its
messages are keyed by the form field they belong beside, so that a route can
show each one there (or "sale" when it belongs to the whole sale)."""
from __future__ import annotations


class SaleError(ValueError):
    """A rule refused the change; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "sale": errors}
        super().__init__(next(iter(errors.values())))
        self.errors = errors
