"""How a loyalty route saves a change: one service call, one commit. A
refusal (LoyaltyError) rolls the session back and comes back to the route,
which shows it beside its field or in its section, with status 422
(core/changes.py commits or rolls back, for every room)."""
from __future__ import annotations

from collections.abc import Callable

from blueprints.loyalty.forms import attach_error
from blueprints.loyalty.rules import LoyaltyError
from core.changes import commit_or_refusal


def save(change: Callable, *args, **kwargs) -> tuple[object, LoyaltyError | None]:
    """(what the change returned, None), committed; or (None, the refusal),
    rolled back. A record gone meanwhile (LookupError) is a 404."""
    return commit_or_refusal(lambda: change(*args, **kwargs), LoyaltyError)


def save_form(form, change: Callable, *args, **kwargs):
    """save(), a refusal's message put beside its field of `form`. Returns what
    the change returned, or None when it was refused (the changes that take a
    form all return an object)."""
    result, error = save(change, *args, **kwargs)
    if error is not None:
        attach_error(form, error)
    return result
