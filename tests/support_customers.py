"""Helpers for the directory's web tests, each in its own application context
and committed: locations, fields and consents set straight in the database,
and what the audit trail and a page show. Sales and groups:
support_customers_data.py."""
from __future__ import annotations


def add_location(app, name: str) -> int:
    from extensions import db
    from models import Location
    with app.app_context():
        location = Location(name=name)
        db.session.add(location)
        db.session.commit()
        return location.id


def set_fields(app, customer_id: int, **fields) -> None:
    from extensions import db
    from models import Customer
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        for name, value in fields.items():
            setattr(customer, name, value)
        customer.refresh_keys()
        db.session.commit()


def get_customer(app, customer_id: int) -> dict:
    """A plain snapshot of the row (and its linked phones' E.164)."""
    from extensions import db
    from models import Customer
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        data = {column.key: getattr(customer, column.key) for column in Customer.__table__.columns}
        data["phones"] = [phone.e164 for phone in customer.phones if phone.linked]
        data["consents"] = {c.purpose: c.state for c in customer.consents}
        return data


def set_consent(app, customer_id: int, purpose: str = "email_marketing", state: str = "yes",
                employee_id: int | None = None, at=None) -> None:
    """A decision recorded as if on request (by nobody in particular: method "legacy")."""
    from blueprints.customers.consent import record_consent
    from extensions import db
    from models import Customer
    with app.app_context():
        record_consent(db.session.get(Customer, customer_id), purpose, state, method="legacy",
                       employee_id=employee_id, at=at)
        db.session.commit()


def audit_actions(app, action: str | None = None) -> list:
    from sqlalchemy import select

    from extensions import db
    from models import AuditEvent
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return [(event.action, event.target_id, event.employee_id, event.details)
                for event in db.session.scalars(stmt)]


def names_in(html: str, *names: str) -> list[str]:
    return [name for name in names if name in html]
