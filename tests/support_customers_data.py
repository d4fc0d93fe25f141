"""Helpers for the tests of the directory and its data work (filters, merge,
delete, export, import): history built straight from the models, so these
tests do not depend on the sales or loyalty screens. They work in the
caller's application context and flush; the caller commits."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core import purchase_index
from core.textkeys import fold
from extensions import db
from models import (Customer, Group, Invoice, PointsEntry, Reward, Sale, SaleItem)
from models.base import utcnow


def add_sale(customer_id: int, location_id: int, total_cents: int = 1250, *, status: str = "completed",
             created_at: datetime | None = None, days_ago: int = 0, items=(("Croissant", 2, 125),),
             payment_method: str | None = None, card_brand: str | None = None, card_last4: str | None = None,
             card_holder_name: str | None = None, invoice: bool = False) -> int:
    """A sale of this customer, indexed for the item filter, and its summary
    kept as the sales room keeps it (a completed sale is a visit). The caller
    commits.

    `items`: (name, quantity, unit price in cents) each. Made at `created_at`,
    else `days_ago` days ago. Paid by card when a card detail is given (a
    holder alone: a Visa ending 4242), else in cash.
    """
    at = created_at or utcnow() - timedelta(days=days_ago)
    by_card = payment_method == "card" or any((card_brand, card_last4, card_holder_name))
    if by_card:
        card_brand, card_last4 = card_brand or "visa", card_last4 or "4242"
    sale = Sale(location_id=location_id, customer_id=customer_id, created_at=at, total_cents=total_cents,
                status=status, payment_method=payment_method or ("card" if by_card else "cash"),
                card_brand=card_brand, card_last4=card_last4, card_holder_name=card_holder_name,
                items=[SaleItem(name=name, name_key=fold(name), quantity=q, unit_price_cents=p) for name, q, p in items])
    db.session.add(sale)
    db.session.flush()
    purchase_index.index_sales(db.session.connection(), [sale.id])  # as the sales service does
    if invoice:
        db.session.add(Invoice(number=f"F-TEST-{sale.id:06d}", sale_id=sale.id, customer_id=customer_id,
                               amount_cents=total_cents, status="open", issued_at=at))
    customer = db.session.get(Customer, customer_id)
    if status == "completed":
        customer.visit_count += 1
        customer.total_spent_cents += total_cents
        customer.first_visit_at = min(filter(None, [customer.first_visit_at, at]))
        customer.last_visit_at = max(filter(None, [customer.last_visit_at, at]))
    db.session.flush()
    return sale.id


def add_points(customer_id: int, points: int, reason: str | None = None) -> None:
    from blueprints.loyalty.points import change_balance
    customer = db.session.get(Customer, customer_id)
    if not customer.loyalty_member:
        customer.loyalty_member = True
        customer.loyalty_enrolled_at = utcnow()
        db.session.flush()
    change_balance(customer_id, points, kind="add", employee_id=None, reason=reason, allow_negative=True)


def add_reward(customer_id: int, name: str = "Café offert") -> int:
    reward = Reward(customer_id=customer_id, name=name, earned_at=utcnow(),
                    expires_at=utcnow() + timedelta(days=30))
    db.session.add(reward)
    db.session.flush()
    return reward.id


def add_to_group(group_name: str, *customer_ids: int) -> int:
    """The customers into the group of this name, made if need be (the caller commits)."""
    group = db.session.scalar(select(Group).where(Group.name == group_name))
    if group is None:
        group = Group(name=group_name)
        db.session.add(group)
        db.session.flush()
    for customer_id in customer_ids:
        customer = db.session.get(Customer, customer_id)
        if group not in customer.groups:
            customer.groups.append(group)
    db.session.flush()
    return group.id


def ledger_sum(customer_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                             .where(PointsEntry.customer_id == customer_id))


def read_csv(body: bytes, delimiter: str | None = None) -> list[list[str]]:
    """The rows of a CSV we wrote; the delimiter is the header's (`;` in the
    French form, `,` otherwise) unless given."""
    assert body.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark"
    text = body[3:].decode("utf-8")
    if delimiter is None:
        header = text.split("\n", 1)[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def csv_bytes(rows, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


import pytest  # noqa: E402


@pytest.fixture
def in_request(app):
    """A request context, for services whose refusals speak through gettext."""
    with app.test_request_context():
        yield
