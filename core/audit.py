"""Writing the audit trail. Called explicitly by services: ORM hooks would miss
bulk statements such as the conditional points redeem."""
import re

from flask import has_request_context
from flask_login import current_user

from extensions import db
from models import AuditEvent

# Details are ids, counts, capability or field names: short lower-case tokens.
# A person's name, email or phone cannot take this shape by accident of spelling
# alone with a digit-free local part, so values are checked, not trusted.
_TOKEN = re.compile(r"^[a-z0-9_.:/-]{0,80}$")


class PersonalValueError(ValueError):
    """Raised when a service tries to put free text into the audit trail."""


def _check(value):
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str) and _TOKEN.match(value) and "@" not in value:
        return value
    if isinstance(value, (list, tuple)):
        return [_check(item) for item in value]
    raise PersonalValueError(f"audit details take ids, counts and names of fields only, not {type(value).__name__} {value!r:.20}")


def record(action: str, target_type: str | None = None, target_id: int | None = None,
           count: int | None = None, employee_id: int | None = None, details: dict | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    if employee_id is None and has_request_context() and current_user.is_authenticated:
        employee_id = current_user.id
    event = AuditEvent(action=action, target_type=target_type, target_id=target_id, count=count,
                       employee_id=employee_id,
                       details={key: _check(value) for key, value in (details or {}).items()})
    db.session.add(event)
    return event


def record_contact_view(view, via: str) -> None:
    """Opening a customer with contact details shown is itself audited, from
    whichever room it happens in (the directory, the loyalty panel, the counter).
    `view` is the permissions.CustomerView the page shows. The caller commits."""
    if view.email or view.phones or (view.address is not None and not view.address.is_empty):
        record("profile_viewed", "customer", view.id, details={"via": via})
