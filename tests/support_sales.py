"""Helpers for the sales tests: building the sale form as the screen posts it,
and reading the database back."""
from __future__ import annotations


def sale_form(location_id: int, lines=(("Café", 2, 350),), **fields) -> dict:
    """The sale form's fields: the lines as the hidden inputs carry them (cents)."""
    data = {
        "location_id": str(location_id),
        "line_name": [name for name, _qty, _price in lines],
        "line_qty": [str(qty) for _name, qty, _price in lines],
        "line_price": [str(price) for _name, _qty, price in lines],
        "payment_method": "cash",
        "entry_name": "", "entry_qty": "1", "entry_price": "",
    }
    data.update({key: (str(value) if isinstance(value, int) else value) for key, value in fields.items()})
    return data


def counts(app) -> dict:
    """How many rows each sales-related table holds."""
    from sqlalchemy import func, select

    from extensions import db
    from models import Customer, Invoice, PointsEntry, Sale, SaleItem
    with app.app_context():
        return {name: db.session.scalar(select(func.count()).select_from(model))
                for name, model in (("sales", Sale), ("items", SaleItem), ("invoices", Invoice),
                                    ("customers", Customer), ("points", PointsEntry))}


def get(app, model, ident):
    """A detached copy of a row, read in its own app context."""
    from extensions import db
    with app.app_context():
        row = db.session.get(model, ident)
        if row is not None:
            db.session.expunge(row)
        return row


def record(app, employee_id: int, location_id: int, lines=(("Café", 1, 350),), **fields) -> int:
    """Record a sale through the service (for tests about what comes after)."""
    from blueprints.sales.lines import Line
    from blueprints.sales.recording import SaleRequest, record_sale
    from extensions import db
    with app.test_request_context():
        req = SaleRequest(location_id=location_id,
                          lines=[Line(*line) for line in lines], **fields)
        sale = record_sale(req, employee_id)
        db.session.commit()
        return sale.id
