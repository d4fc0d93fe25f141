"""A service's change, committed once by the route that asked for it, or
rolled back and handed back as the refusal the page shows. Every room's
routes use it, so a route never writes its own try/commit/rollback."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import abort

from extensions import db

Result = TypeVar("Result")


def commit_or_refusal(change: Callable[[], Result], refusal: type[Exception]
                      ) -> tuple[Result | None, Exception | None]:
    """Run a service's change and commit it: (its result, None). A record
    gone meanwhile (the service's LookupError) is a 404; a `refusal` is
    rolled back and handed back, (None, the error), for the page to show."""
    try:
        result = change()
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except refusal as refused:
        db.session.rollback()
        return None, refused
    return result, None
