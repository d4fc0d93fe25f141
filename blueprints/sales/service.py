"""The rules of a sale: recording one at the counter (items, customer, payment,
card details that create or find a profile, invoice, points, the customer's
summary), refunding or voiding it, and settling invoices.

Plain arguments in, models out; no `request` here. Every function leaves the
commit to its caller, which rolls back on an error so nothing is half-written.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from blueprints.customers import validation
from blueprints.customers.service import CustomerError, create_customer, ensure_can_join_sale, make_phone
from core import purchase_index
from core.audit import record
from blueprints.loyalty.points import earn_for_sale, reverse_for_sale
from blueprints.sales import discounts
from extensions import db
from models import Customer, Invoice, Location, Sale, SaleItem
from models.base import utcnow
from models.sales import CARD_BRANDS
from core.textkeys import fold

# At the counter a sale is paid in cash, by card, or invoiced to the customer
# (an open invoice, settled later: seed 002). Stored in Sale.payment_method.
PAYMENTS = ("cash", "card", "invoice")
INVOICE_STATUSES = ("open", "paid", "cancelled")
MAX_LINES = 200
MAX_QUANTITY = 9999
MAX_PRICE_CENTS = 10_000_000_00  # ten million in the shop's currency
_LAST4 = re.compile(r"^\d{4}$")


class SaleError(ValueError):
    """A rule refused the change; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "sale": errors}
        super().__init__(next(iter(errors.values())))
        self.errors = errors


# --- reading what the cashier typed -----------------------------------------

def parse_money(text: str | None) -> int | None:
    """"3,50", "3.5", "1 234,56 €" -> cents; None when it is not an amount >= 0."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f€$£]", "", str(text))
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:  # "1.234,56" or "1,234.56": the last one is decimal
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if decimal_mark == "," else ",", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        return None
    try:
        cents = int((Decimal(cleaned) * 100).to_integral_value())
    except InvalidOperation:
        return None
    return cents if cents <= MAX_PRICE_CENTS else None


def parse_quantity(text) -> int | None:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= MAX_QUANTITY else None


@dataclass
class Line:
    name: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


def read_lines(names: list[str], quantities: list[str], prices: list[str]) -> list[Line]:
    """The lines carried by the sale form's hidden inputs (prices in cents).

    They were checked when added; a tampered line is refused, not repaired."""
    if not (len(names) == len(quantities) == len(prices)) or len(names) > MAX_LINES:
        raise SaleError(_("Les articles de la vente sont illisibles. Rechargez la page."), "items")
    lines = []
    for name, quantity, price in zip(names, quantities, prices):
        name = (name or "").strip()
        qty = parse_quantity(quantity)
        try:
            cents = int(price)
        except (TypeError, ValueError):
            cents = -1
        if not name or len(name) > 120 or qty is None or not 0 <= cents <= MAX_PRICE_CENTS:
            raise SaleError(_("Les articles de la vente sont illisibles. Rechargez la page."), "items")
        lines.append(Line(name, qty, cents))
    return lines


def read_entry(name: str | None, quantity: str | None, price: str | None) -> Line:
    """The item being typed (name, quantity, unit price), checked field by field."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["entry_name"] = _("Saisissez le nom de l’article.")
    elif len(name) > 120:
        errors["entry_name"] = _("120 caractères au plus.")
    qty = parse_quantity(quantity if (quantity or "").strip() else "1")
    if qty is None:
        errors["entry_qty"] = _("Une quantité entière entre 1 et %(max)s.", max=MAX_QUANTITY)
    cents = parse_money(price)
    if cents is None:
        errors["entry_price"] = _("Saisissez un prix, par exemple 3,50.")
    if errors:
        raise SaleError(errors)
    return Line(name, qty, cents)


def add_line(lines: list[Line], new: Line) -> list[Line]:
    """The same item at the same price adds to its line instead of a new one."""
    for line in lines:
        if fold(line.name) == fold(new.name) and line.unit_price_cents == new.unit_price_cents:
            line.quantity = min(MAX_QUANTITY, line.quantity + new.quantity)
            return lines
    if len(lines) >= MAX_LINES:
        raise SaleError(_("Une vente compte %(max)s lignes au plus.", max=MAX_LINES), "entry_name")
    return lines + [new]


def apply_line_op(lines: list[Line], op: str, entry: tuple[str | None, str | None, str | None]) -> list[Line]:
    """One change of the sale's lines, as the screen's buttons ask for it:
    "add" (the typed entry), "inc:i", "dec:i", "remove:i", "quick:<cents>:<name>"."""
    lines = [Line(line.name, line.quantity, line.unit_price_cents) for line in lines]
    kind, _sep, arg = (op or "").partition(":")
    if kind == "add":
        return add_line(lines, read_entry(*entry))
    if kind == "quick":
        cents, _sep, name = arg.partition(":")
        return add_line(lines, read_entry(name, "1", str(int(cents) / 100) if cents.isdigit() else None))
    if kind in ("inc", "dec", "remove"):
        index = int(arg) if arg.isdigit() else -1
        if not 0 <= index < len(lines):
            return lines
        line = lines[index]
        if kind == "inc":
            line.quantity = min(MAX_QUANTITY, line.quantity + 1)
        elif kind == "dec":
            line.quantity = max(1, line.quantity - 1)
        else:
            del lines[index]
        return lines
    return lines


def card_match_key(holder_name: str | None, brand: str | None, last4: str | None) -> str | None:
    """"holder name|brand|last4", folded: what Customer.card_match_key holds."""
    name = fold(holder_name)
    if not name or not brand or not last4:
        return None
    return f"{name}|{brand}|{last4}"[:160]


def split_holder_name(holder_name: str) -> tuple[str | None, str | None]:
    """A card's holder name as first and last name.

    "JEANNE MARTIN" -> ("Jeanne", "Martin"); the card-track form "MARTIN/JEANNE"
    -> ("Jeanne", "Martin"); a single word is a last name."""
    text = " ".join(holder_name.split())
    if text.isupper() or text.islower():
        text = text.title()
    if "/" in text:
        last, _sep, first = text.partition("/")
        return first.strip() or None, last.strip() or None
    parts = text.rsplit(" ", 1)
    if len(parts) == 1:
        return None, parts[0] or None
    return parts[0], parts[1]


# --- recording a sale ------------------------------------------------------

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


def find_or_create_card_customer(holder_name: str, brand: str, last4: str) -> tuple[Customer | None, str | None]:
    """Seed 004: the card's holder name, brand and last four find the profile
    they created before, or create one (origin "card").

    A profile merged into another leads to the primary. An archived profile
    cannot join a sale (seed 000) and is not recreated behind the shop's back:
    the sale then stays without a customer."""
    key = card_match_key(holder_name, brand, last4)
    if key is None:
        return None, None
    candidates = list(db.session.scalars(
        select(Customer).where(Customer.card_match_key == key, Customer.anonymised.is_(False))
        .order_by(Customer.archived, Customer.id).limit(5)))
    for candidate in candidates:
        seen = set()
        while candidate.archived and candidate.merged_into_id and candidate.id not in seen:
            seen.add(candidate.id)
            candidate = db.session.get(Customer, candidate.merged_into_id)
        if not candidate.archived and not candidate.anonymised:
            return candidate, "card_matched"
    if candidates:
        return None, None
    first, last = split_holder_name(holder_name)
    customer = create_customer(first_name=first, last_name=last, origin="card", card_match_key=key)
    return customer, "card_created"


def _add_visit(customer_id: int, total_cents: int, at: datetime) -> None:
    """The customer's sales summary in one conditional UPDATE; it refuses a
    customer archived meanwhile (the sale is then rolled back)."""
    stmt = (update(Customer)
            .where(Customer.id == customer_id, Customer.archived.is_(False), Customer.anonymised.is_(False))
            .values(visit_count=Customer.visit_count + 1,
                    total_spent_cents=Customer.total_spent_cents + total_cents,
                    first_visit_at=func.coalesce(Customer.first_visit_at, at),
                    last_visit_at=case((or_(Customer.last_visit_at.is_(None), Customer.last_visit_at < at), at),
                                       else_=Customer.last_visit_at))
            .execution_options(synchronize_session=False))
    if db.session.execute(stmt).rowcount != 1:
        raise SaleError(_("Ce client est archivé : il ne peut pas être ajouté à une vente."), "customer_id")
    _expire_summary(customer_id)


def _expire_summary(customer_id: int) -> None:
    customer = db.session.identity_map.get(identity_key(Customer, customer_id))
    if customer is not None:
        db.session.expire(customer, ["visit_count", "total_spent_cents", "first_visit_at", "last_visit_at"])


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
        _add_visit(customer.id, total, now)
        try:
            discounts.spend(sale, priced, employee_id)
        except discounts.DiscountError as error:
            raise SaleError(error.errors)
        earn_for_sale(sale, employee_id)  # on what was paid
    if req.payment_method == "invoice":
        create_invoice(sale)
    return sale


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


# --- after the sale ---------------------------------------------------------

def refresh_customer_summaries(customer_ids) -> None:
    """Recompute visits, total spent, first and last visit from the customer's
    completed sales (refunded and voided ones do not count, nor the refunded
    part of a partly refunded one), one UPDATE each."""
    for customer_id in {cid for cid in customer_ids if cid is not None}:
        completed = and_(Sale.customer_id == customer_id, Sale.status == "completed")
        stmt = (update(Customer).where(Customer.id == customer_id)
                .values(visit_count=select(func.count(Sale.id)).where(completed).scalar_subquery(),
                        total_spent_cents=select(func.coalesce(func.sum(Sale.total_cents - Sale.refunded_cents), 0))
                        .where(completed).scalar_subquery(),
                        first_visit_at=select(func.min(Sale.created_at)).where(completed).scalar_subquery(),
                        last_visit_at=select(func.max(Sale.created_at)).where(completed).scalar_subquery())
                .execution_options(synchronize_session=False))
        db.session.execute(stmt)
        _expire_summary(customer_id)


@dataclass
class RefundOutcome:
    """What a refund did, for the message to the cashier."""
    sale: Sale
    refunded_cents: int = 0
    points_returned: int = 0
    points_taken_back: int = 0
    points_unrecovered: int = 0
    rewards_restored: list = field(default_factory=list)
    rewards_expired: list = field(default_factory=list)


def _give_back(sale: Sale, share: tuple[int, int], whole: bool, employee_id: int | None,
               outcome: RefundOutcome) -> None:
    """Points (spent and earned) in `share`, and the rewards when the whole sale goes."""
    reversal = reverse_for_sale(sale, employee_id, share)
    outcome.points_returned = reversal.returned
    outcome.points_taken_back = reversal.taken_back
    outcome.points_unrecovered = reversal.unrecovered
    if whole:
        restored = discounts.restore_rewards(sale, employee_id)
        now = utcnow()
        outcome.rewards_restored = [r for r in restored if r.expires_at is None or r.expires_at >= now]
        outcome.rewards_expired = [r for r in restored if r.expires_at is not None and r.expires_at < now]


def refund_sale(sale_id: int, action: str, employee_id: int | None) -> RefundOutcome:
    """Refund or void a completed sale (what is left of it after partial
    refunds), in the caller's one transaction: the points it earned are
    taken back and the points it spent given back, a reward it spent is
    Obtenue again, its open invoice is cancelled and the customer's summary
    no longer counts it."""
    if action not in ("refund", "void"):
        raise SaleError(_("Action inconnue."))
    sale = db.session.get(Sale, sale_id)
    if sale is None:
        raise LookupError(sale_id)
    new_status = "refunded" if action == "refund" else "voided"
    changed = db.session.execute(
        update(Sale).where(Sale.id == sale_id, Sale.status == "completed").values(status=new_status)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(sale, ["status"])
        raise SaleError(_("Cette vente est déjà remboursée ou annulée."))
    set_committed_value(sale, "status", new_status)
    outcome = RefundOutcome(sale, refunded_cents=sale.total_cents - (sale.refunded_cents or 0))
    sale.refunded_cents = sale.total_cents
    for item in sale.items:
        item.refunded_quantity = item.quantity
    _give_back(sale, (1, 1), True, employee_id, outcome)
    if new_status == "voided":  # a voided sale never happened: nobody bought its items
        purchase_index.forget_sale(db.session.connection(), sale.id)
    db.session.execute(update(Invoice).where(Invoice.sale_id == sale_id, Invoice.status == "open")
                       .values(status="cancelled").execution_options(synchronize_session=False))
    db.session.flush()
    refresh_customer_summaries([sale.customer_id])
    record(f"sale_{new_status}", "sale", sale.id, employee_id=employee_id,
           details={"customer": sale.customer_id, "points_taken_back": outcome.points_taken_back,
                    "points_returned": outcome.points_returned, "points_unrecovered": outcome.points_unrecovered,
                    "rewards_restored": len(outcome.rewards_restored) + len(outcome.rewards_expired)})
    db.session.flush()
    return outcome


def cancel_sale(sale_id: int, action: str, employee_id: int | None) -> Sale:
    return refund_sale(sale_id, action, employee_id).sale


def refund_items(sale_id: int, quantities: dict[int, int], employee_id: int | None) -> RefundOutcome:
    """A partial refund: some of the sale's items (item id -> quantity). The
    money and the points go back in proportion of the items' value (the
    discounts spread over every item); refunding what is left ends the sale
    as Remboursée, which also gives back its reward. The caller commits."""
    sale = db.session.get(Sale, sale_id)
    if sale is None:
        raise LookupError(sale_id)
    if sale.status != "completed":
        raise SaleError(_("Cette vente est déjà remboursée ou annulée."))
    by_id = {item.id: item for item in sale.items}
    wanted = {item_id: qty for item_id, qty in quantities.items() if qty}
    if not wanted:
        raise SaleError(_("Choisissez au moins un article à rembourser."), "items")
    for item_id, qty in wanted.items():
        item = by_id.get(item_id)
        if item is None or qty < 0 or qty > item.refundable_quantity:
            raise SaleError(_("Cette quantité dépasse ce qui reste à rembourser."), "items")
    if all(wanted.get(item.id, 0) == item.refundable_quantity for item in sale.items):
        return refund_sale(sale_id, "refund", employee_id)
    # The sale's row is the lock: a concurrent refund of the same sale waits or is refused.
    before = sale.refunded_cents or 0
    changed = db.session.execute(
        update(Sale).where(Sale.id == sale_id, Sale.status == "completed", Sale.refunded_cents == before)
        .values(refunded_cents=before).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise SaleError(_("Cette vente vient d’être modifiée : rechargez la page."))
    for item_id, qty in wanted.items():
        by_id[item_id].refunded_quantity += qty
    items_total = sum(item.line_total_cents for item in sale.items) or 1
    refunded_value = sum(item.refunded_quantity * item.unit_price_cents for item in sale.items)
    sale.refunded_cents = sale.total_cents * refunded_value // items_total
    outcome = RefundOutcome(sale, refunded_cents=sale.refunded_cents - before)
    _give_back(sale, (refunded_value, items_total), False, employee_id, outcome)
    db.session.flush()
    refresh_customer_summaries([sale.customer_id])
    record("sale_partly_refunded", "sale", sale.id, employee_id=employee_id,
           details={"customer": sale.customer_id, "points_taken_back": outcome.points_taken_back,
                    "points_returned": outcome.points_returned, "points_unrecovered": outcome.points_unrecovered})
    db.session.flush()
    return outcome


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


# --- customers at the counter ----------------------------------------------

def _names(first_name: str | None, last_name: str | None) -> tuple[str | None, str | None, dict]:
    """Names as typed at the counter, spaces tidied, and what is wrong with them."""
    first = " ".join((first_name or "").split()) or None
    last = " ".join((last_name or "").split()) or None
    errors = {}
    if not first and not last:
        errors["first_name"] = _("Saisissez un prénom ou un nom.")
    for key, value in (("first_name", first), ("last_name", last)):
        if value and len(value) > 100:
            errors[key] = _("100 caractères au plus.")
    return first, last, errors


def rename_customer(customer_id: int, first_name: str | None, last_name: str | None) -> Customer:
    """Fix a misspelt name from the sale screen (the caller commits)."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.anonymised:
        raise LookupError(customer_id)
    ensure_can_join_sale(customer)
    first, last, errors = _names(first_name, last_name)
    if errors:
        raise SaleError(errors)
    changed = [name for name, value in (("first_name", first), ("last_name", last))
               if getattr(customer, name) != value]
    customer.first_name, customer.last_name = first, last
    customer.refresh_keys()
    db.session.flush()
    if changed:
        record("customer_updated", "customer", customer.id, details={"fields": changed, "via": "sale"})
    return customer


def add_customer_at_counter(first_name: str | None, last_name: str | None, email: str | None = None,
                            phone: str | None = None) -> Customer:
    """The short form of the sale screen (the caller commits). Email and phone
    are passed only when the employee may edit them."""
    first, last, errors = _names(first_name, last_name)
    phone = (phone or "").strip() or None
    email = validation.email(email, errors)  # the directory's check (email-validator)
    if email and "email" not in errors and db.session.scalar(
            select(Customer.id).where(Customer.email_key == email.lower(), Customer.anonymised.is_(False)).limit(1)):
        errors["email"] = _("Un client a déjà cette adresse courriel : recherchez-le.")
    if phone and make_phone(phone).e164 is None:
        errors["phone"] = _("Ce numéro de téléphone n’est pas valide.")
    if errors:
        raise SaleError(errors)
    return create_customer(first_name=first, last_name=last, email=email,
                           phones=[phone] if phone else [], origin="sale")


def recent_items(limit: int = 8, window: int = 400) -> list[dict]:
    """The shop's frequent items lately, for the quick buttons: one query over
    the last few hundred sold lines (primary-key order, so it stays cheap)."""
    rows = db.session.execute(
        select(SaleItem.name, SaleItem.name_key, SaleItem.unit_price_cents)
        .order_by(SaleItem.id.desc()).limit(window)).all()
    counts: dict[tuple[str, int], dict] = {}
    for name, key, price in rows:  # newest first: the first spelling seen is kept
        entry = counts.setdefault((key, price), {"name": name, "price_cents": price, "count": 0})
        entry["count"] += 1
    ranked = sorted(counts.values(), key=lambda e: -e["count"])
    return ranked[:limit]
