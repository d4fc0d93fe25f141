"""Helpers for the directory's tests: sales and groups built straight into the
database (the sales room's own service is not needed to filter on them)."""
from __future__ import annotations

from datetime import datetime


def add_sale(app, customer_id: int, location_id: int, *, items=("Café",), total_cents: int = 500,
             payment_method: str = "cash", card_brand: str | None = None, card_last4: str | None = None,
             created_at: datetime | None = None, status: str = "completed") -> int:
    """A sale of `items` to the customer, with the customer's visit summary updated."""
    from extensions import db
    from core import purchase_index
    from models import Customer, Sale, SaleItem
    from core.textkeys import fold
    created_at = created_at or datetime(2025, 5, 10, 12, 0)
    with app.app_context():
        sale = Sale(location_id=location_id, customer_id=customer_id, total_cents=total_cents,
                    payment_method=payment_method, card_brand=card_brand, card_last4=card_last4,
                    created_at=created_at, status=status)
        for name in items:
            sale.items.append(SaleItem(name=name, name_key=fold(name), quantity=1, unit_price_cents=total_cents))
        db.session.add(sale)
        db.session.flush()
        purchase_index.index_sales(db.session.connection(), [sale.id])  # as the sales service does
        customer = db.session.get(Customer, customer_id)
        customer.visit_count += 1
        customer.total_spent_cents += total_cents
        customer.first_visit_at = min(filter(None, (customer.first_visit_at, created_at)))
        customer.last_visit_at = max(filter(None, (customer.last_visit_at, created_at)))
        db.session.commit()
        return sale.id


def add_location(app, name: str) -> int:
    from extensions import db
    from models import Location
    with app.app_context():
        location = Location(name=name)
        db.session.add(location)
        db.session.commit()
        return location.id


def add_to_group(app, group_name: str, *customer_ids: int) -> int:
    from sqlalchemy import select

    from extensions import db
    from models import Customer, Group
    with app.app_context():
        group = db.session.scalar(select(Group).where(Group.name == group_name))
        if group is None:
            group = Group(name=group_name)
            db.session.add(group)
        for customer_id in customer_ids:
            customer = db.session.get(Customer, customer_id)
            customer.groups.append(group)
        db.session.commit()
        return group.id


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
