"""After the sale: the transactions list, one sale's page, and refunding or
voiding it. Thin, like routes.py: the queries are in transactions.py and
history.py, the rules in refunds.py."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.sales import bp, history, refunds
from blueprints.sales.errors import SaleError
from blueprints.sales.recording import PAYMENTS
from blueprints.sales.transactions import TransactionQuery, transaction_list
from core.changes import commit_or_refusal
from core.formatting import format_date, formats
from core.htmx import hx_redirect, is_htmx, render_htmx
from core.permissions import requires


def commit_or_refuse(work, back: str):
    """Run a sales service's change and commit it: (its result, None). When
    the service refuses, answer with the reason instead: (None, a response),
    the message for htmx or a flash and a redirect to `back`."""
    result, error = commit_or_refusal(work, SaleError)
    if error is None:
        return result, None
    if is_htmx():
        return None, (render_template("errors/_message.html", message=str(error)), 409)
    flash(str(error), "error")
    return None, redirect(back)


@bp.route("")
@requires("access.register")
def index():
    """Every sale, newest first; filters and the page cursor live in the URL."""
    query = TransactionQuery.from_args(request.args)
    listing = transaction_list(current_user, query, current_app.config["PAGE_SIZE"])
    return render_htmx("sales/index.html", "sales/_transactions.html", query=query, page=listing.page,
                       invoices=listing.invoices, locations=listing.locations,
                       filter_customer=listing.filter_customer, payments=PAYMENTS)


@bp.route("/<int:sale_id>")
@requires("access.register")
def sale(sale_id: int):
    """One sale: its items, payment, customer, invoice; refund or void."""
    record, invoice = history.sale_with_invoice(sale_id)
    if record is None:
        abort(404)
    return render_template("sales/sale.html", sale=record, invoice=invoice)


def _refund_messages(outcome: refunds.RefundOutcome) -> list[tuple[str, str]]:
    """What the cashier is told after a refund: the money, the points both
    ways, what could not be taken back, and the rewards given back."""
    sale = outcome.sale
    if sale.status == "refunded":
        messages = [(_("Vente remboursée."), "success")]
    elif sale.status == "voided":
        messages = [(_("Vente annulée."), "success")]
    else:
        messages = [(_("Remboursement partiel : %(amount)s.", amount=formats().money(outcome.refunded_cents)),
                     "success")]
    if outcome.points_returned:
        messages.append((ngettext("%(num)s point utilisé dans la vente est rendu au client.",
                                  "%(num)s points utilisés dans la vente sont rendus au client.",
                                  outcome.points_returned), "success"))
    if outcome.points_taken_back:
        messages.append((ngettext("%(num)s point gagné avec la vente est repris.",
                                  "%(num)s points gagnés avec la vente sont repris.",
                                  outcome.points_taken_back), "success"))
    if outcome.points_unrecovered:
        messages.append((ngettext(
            "%(num)s point gagné avec cette vente n’a pas pu être repris : le client l’a déjà utilisé "
            "(un solde ne descend jamais sous zéro).",
            "%(num)s points gagnés avec cette vente n’ont pas pu être repris : le client les a déjà utilisés "
            "(un solde ne descend jamais sous zéro).", outcome.points_unrecovered), "warning"))
    for reward in outcome.rewards_restored:
        messages.append((_("Récompense « %(name)s » rendue : de nouveau Obtenue.", name=reward.name)
                         + (" " + _("Valable jusqu’au %(date)s.", date=format_date(reward.expires_at, "short"))
                            if reward.expires_at else ""), "success"))
    for reward in outcome.rewards_expired:
        messages.append((_("Récompense « %(name)s » rendue, mais elle a expiré le %(date)s.",
                           name=reward.name, date=format_date(reward.expires_at, "short")), "warning"))
    return messages


def _after_refund(sale_id: int, work):
    back = url_for("sales.sale", sale_id=sale_id)
    outcome, refused = commit_or_refuse(work, back)
    if refused is not None:
        return refused
    for message, category in _refund_messages(outcome):
        flash(message, category)
    return hx_redirect(back)


@bp.route("/<int:sale_id>/cancel", methods=["POST"])
@requires("sales.refund")
def cancel(sale_id: int):
    """Refund or void (after the confirmation on the button)."""
    action = request.form.get("action", "")
    return _after_refund(sale_id, lambda: refunds.refund_sale(sale_id, action, current_user.id))


@bp.route("/<int:sale_id>/refund-items", methods=["POST"])
@requires("sales.refund")
def refund_items(sale_id: int):
    """A partial refund: the quantities chosen per item (refund_qty_<item id>)."""
    quantities = {}
    for key, value in request.form.items():
        if key.startswith("refund_qty_") and key[11:].isdigit():
            text = (value or "").strip()
            quantities[int(key[11:])] = int(text) if text.isdigit() and len(text) <= 6 else -1 if text else 0
    return _after_refund(sale_id, lambda: refunds.refund_items(sale_id, quantities, current_user.id))
