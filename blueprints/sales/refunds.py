"""Refunding or voiding a sale, whole or some of its items: the money, the
points both ways and the rewards go back, its open invoice is cancelled and
the customer's summary no longer counts what was given back.

Everything happens in the caller's one transaction; the sale's row is the
lock, so two tills cannot refund the same sale twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from blueprints.loyalty.points import reverse_for_sale
from blueprints.sales import discounts
from blueprints.sales.customer_summary import refresh_customer_summaries
from blueprints.sales.errors import SaleError
from core import purchase_index
from core.audit import record
from extensions import db
from models import Invoice, Sale
from models.base import utcnow


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

    def audit_details(self) -> dict:
        """What the audit trail keeps of it: ids and counts only."""
        return {"customer": self.sale.customer_id, "points_taken_back": self.points_taken_back,
                "points_returned": self.points_returned, "points_unrecovered": self.points_unrecovered}


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
    _write_down(f"sale_{new_status}", outcome, employee_id,
                rewards_restored=len(outcome.rewards_restored) + len(outcome.rewards_expired))
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
    _write_down("sale_partly_refunded", outcome, employee_id)
    return outcome


def _write_down(action: str, outcome: RefundOutcome, employee_id: int | None, **more_details) -> None:
    """The customer's summary recomputed from what is left, and the audit trail's line."""
    db.session.flush()
    refresh_customer_summaries([outcome.sale.customer_id])
    record(action, "sale", outcome.sale.id, employee_id=employee_id,
           details={**outcome.audit_details(), **more_details})
    db.session.flush()
