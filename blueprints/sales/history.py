"""Sales looked back at: one sale as its page shows it (items, location,
employee, customer, invoice) and a customer's latest sales and invoices (the
profile's history)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Customer, Invoice, Sale

HISTORY_SALES = 10


def sale_with_invoice(sale_id: int) -> tuple[Sale | None, Invoice | None]:
    """The sale with what its page shows loaded, and its invoice if any; (None, None) when there is no such sale."""
    sale = db.session.scalar(select(Sale).where(Sale.id == sale_id).options(
        selectinload(Sale.items), selectinload(Sale.location), selectinload(Sale.employee),
        selectinload(Sale.customer)))
    if sale is None:
        return None, None
    return sale, db.session.scalar(select(Invoice).where(Invoice.sale_id == sale_id))


@dataclass
class CustomerHistory:
    customer: Customer
    sales: list[Sale]  # the latest HISTORY_SALES, newest first
    more_sales: bool
    invoices: list[Invoice]  # open ones first, then newest first


def customer_history(customer_id: int) -> CustomerHistory | None:
    """The profile's transactions and invoices; None when there is no such customer."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        return None
    sales = list(db.session.scalars(
        select(Sale).where(Sale.customer_id == customer_id).options(selectinload(Sale.location))
        .order_by(Sale.created_at.desc(), Sale.id.desc()).limit(HISTORY_SALES + 1)))
    invoices = list(db.session.scalars(
        select(Invoice).where(Invoice.customer_id == customer_id).options(selectinload(Invoice.paid_by))
        .order_by(Invoice.id.desc())))
    invoices.sort(key=lambda inv: inv.status != "open")  # open ones first, stable
    return CustomerHistory(customer, sales[:HISTORY_SALES], len(sales) > HISTORY_SALES, invoices)
