"""Invoices (seed 002): a sale paid by invoice opens one, numbered from its own
id; Régler marks it paid; the numbered list and a customer's open ones."""
from __future__ import annotations

import uuid

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from blueprints.sales.errors import SaleError
from core.audit import record
from core.pagination import paginate
from extensions import db
from models import Invoice, Sale
from models.base import utcnow

INVOICE_STATUSES = ("open", "paid", "cancelled")


def invoice_number(invoice: Invoice) -> str:
    return f"F-{invoice.issued_at.year}-{invoice.id:06d}"


def create_invoice(sale: Sale) -> Invoice:
    """An open invoice for the sale, numbered from its own id: two counters
    recording at once can never draw the same number."""
    now = sale.created_at or utcnow()
    invoice = Invoice(number=f"tmp-{uuid.uuid4().hex[:16]}", sale_id=sale.id, customer_id=sale.customer_id,
                      amount_cents=sale.total_cents, status="open", issued_at=now)
    db.session.add(invoice)
    db.session.flush()
    invoice.number = invoice_number(invoice)
    db.session.flush()
    return invoice


def settle_invoice(invoice_id: int, employee_id: int | None) -> Invoice:
    """Seed 002: Régler marks an open invoice paid, with the date and the employee."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None:
        raise LookupError(invoice_id)
    changed = db.session.execute(
        update(Invoice).where(Invoice.id == invoice_id, Invoice.status == "open")
        .values(status="paid", paid_at=utcnow(), paid_by_id=employee_id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(invoice)
    if changed != 1:
        if invoice.status == "paid":
            raise SaleError(_("Cette facture est déjà réglée."))
        raise SaleError(_("Cette facture est annulée : elle ne peut pas être réglée."))
    record("invoice_settled", "invoice", invoice.id, employee_id=employee_id,
           details={"customer": invoice.customer_id})
    return invoice


def invoice_page(status: str, page_number: int, per_page: int):
    """One page of the numbered list, newest first; `status` one of
    INVOICE_STATUSES, or "" for all."""
    stmt = select(Invoice).options(selectinload(Invoice.customer), selectinload(Invoice.paid_by))
    if status:
        stmt = stmt.where(Invoice.status == status)
    return paginate(stmt.order_by(Invoice.id.desc()), page_number, per_page)


def open_invoices(customer_id: int) -> list[Invoice]:
    """The customer's invoices still to settle, oldest first."""
    return list(db.session.scalars(
        select(Invoice).where(Invoice.customer_id == customer_id, Invoice.status == "open")
        .order_by(Invoice.id)))
