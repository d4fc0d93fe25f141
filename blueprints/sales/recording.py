"""Recording a sale at the counter (*Encaisser*): the locations an employee
sells at, every rule checked before anything is written, then the sale, its
items, the customer's summary, the discounts spent, the points earned and,
for a sale on account, its invoice, all in the caller's one transaction.

Plain arguments in, models out; no `request` here. The caller commits, or
rolls back on SaleError so that nothing is half-written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert, select

from blueprints.customers.service import CustomerError, ensure_can_join_sale
from blueprints.loyalty.points import earn_for_sale
from blueprints.sales import discounts
from blueprints.sales.cards import find_or_create_card_customer
from blueprints.sales.customer_summary import add_visit
from blueprints.sales.errors import SaleError
from blueprints.sales.invoices import create_invoice
from blueprints.sales.lines import Line
from core import purchase_index
from core.textkeys import fold
from extensions import db
from models import Customer, Employee, Location, Sale, SaleItem
from models.base import utcnow
from models.sales import CARD_BRANDS

# At the counter a sale is paid in cash, by card, or invoiced to the customer
# (an open invoice, settled later: seed 002). Stored in Sale.payment_method.
PAYMENTS = ("cash", "card", "invoice")
_LAST4 = re.compile(r"^\d{4}$")


def selling_locations(employee_id: int) -> tuple[list[Location], Location | None]:
    """The locations this employee sells at (their own, or every active one)
    and the default: their first location, or the shop's first."""
    employee = db.session.get(Employee, employee_id)
    own = [loc for loc in employee.locations if loc.active]
    options = own or list(db.session.scalars(select(Location).where(Location.active.is_(True))
                                             .order_by(Location.id)))
    return options, (options[0] if options else None)


@dataclass
class SaleRequest:
    location_id: int | None
    lines: list[Line]
    payment_method: str = "cash"
    customer_id: int | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    card_holder_name: str | None = None
    allowed_location_ids: set[int] | None = None  # None: every active location
    pending_entry: bool = False  # an item typed but not added: refuse rather than guess
    extra_errors: dict = field(default_factory=dict)
    # The discounts the cashier chose (points, a reward, the customer's default discount).
    adjustments: discounts.Adjustments | None = None
    may_redeem: bool = True  # the employee may spend points and rewards (loyalty.points)


def _validate(req: SaleRequest) -> tuple[Location | None, Customer | None]:
    errors: dict[str, str] = dict(req.extra_errors)
    location = db.session.get(Location, req.location_id) if req.location_id else None
    if location is None or not location.active or (
            req.allowed_location_ids is not None and location.id not in req.allowed_location_ids):
        errors["location_id"] = _("Choisissez le point de vente.")
    if not req.lines:
        errors.setdefault("items", _("Ajoutez au moins un article."))
    if req.pending_entry:
        errors.setdefault("entry_name", _("Ajoutez cet article ou videz le champ avant d’encaisser."))
    if req.payment_method not in PAYMENTS:
        errors["payment_method"] = _("Choisissez le mode de paiement.")
    if req.payment_method == "card":
        if req.card_brand not in CARD_BRANDS:
            errors["card_brand"] = _("Choisissez la marque de la carte.")
        if not _LAST4.match(req.card_last4 or ""):
            errors["card_last4"] = _("Les quatre derniers chiffres de la carte : 4 chiffres.")
        if req.card_holder_name and len(req.card_holder_name) > 120:
            errors["card_holder_name"] = _("120 caractères au plus.")
    customer = None
    if req.customer_id is not None:
        customer = db.session.get(Customer, req.customer_id)
        if customer is None:
            errors["customer_id"] = _("Ce client n’existe pas ou plus.")
        else:
            try:
                ensure_can_join_sale(customer)
            except CustomerError as error:
                errors["customer_id"] = str(error)
    if req.payment_method == "invoice" and req.customer_id is None:
        errors["payment_method"] = _("Une facture est adressée à un client : ajoutez le client à la vente.")
    if errors:
        raise SaleError(errors)
    return location, customer


def record_sale(req: SaleRequest, employee_id: int | None) -> Sale:
    """Record a sale: validate everything first, then write it all (the caller commits)."""
    location, customer = _validate(req)
    link = "chosen" if customer is not None else None
    holder = " ".join((req.card_holder_name or "").split()) or None
    if req.payment_method == "card" and customer is None and holder:
        customer, link = find_or_create_card_customer(holder, req.card_brand, req.card_last4)
    now = utcnow()
    # Discounts only for a customer chosen by the cashier (a card's profile
    # found at checkout was not on the screen: nothing was chosen for it).
    adjustments = req.adjustments or discounts.Adjustments(for_customer=req.customer_id)
    try:
        priced = discounts.quote(req.lines, customer if link == "chosen" else None, adjustments,
                                 may_redeem=req.may_redeem, strict=True)
    except discounts.DiscountError as error:
        raise SaleError(error.errors)
    total = priced.total_cents
    card = req.payment_method == "card"
    sale = Sale(location_id=location.id, employee_id=employee_id, customer=customer,
                customer_link=link if customer is not None else None, created_at=now,
                total_cents=total, status="completed", payment_method=req.payment_method,
                card_brand=req.card_brand if card else None,
                card_last4=req.card_last4 if card else None,
                card_holder_name=holder if card else None,
                subtotal_cents=priced.subtotal_cents)
    for line in priced.discounts:
        if line.kind == "customer":
            sale.customer_discount_percent, sale.customer_discount_cents = line.percent, line.cents
        elif line.kind == "reward":
            sale.reward_label, sale.reward_discount_cents = line.label[:120], line.cents
        elif line.kind == "points":
            sale.points_redeemed, sale.points_discount_cents = line.points, line.cents
    db.session.add(sale)
    db.session.flush()
    # One executemany for the lines, whatever their number.
    db.session.execute(insert(SaleItem), [
        {"sale_id": sale.id, "name": line.name, "name_key": fold(line.name)[:120],
         "quantity": line.quantity, "unit_price_cents": line.unit_price_cents} for line in req.lines])
    purchase_index.index_sales(db.session.connection(), [sale.id])
    if customer is not None:
        add_visit(customer.id, total, now)
        try:
            discounts.spend(sale, priced, employee_id)
        except discounts.DiscountError as error:
            raise SaleError(error.errors)
        earn_for_sale(sale, employee_id)  # on what was paid
    if req.payment_method == "invoice":
        create_invoice(sale)
    return sale
