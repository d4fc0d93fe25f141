"""Invoices (seed 002): the numbered list, *Régler*, and the profile's history
of transactions and invoices that Régler answers with when it was clicked
there. Thin, like routes.py: the rules and queries are in invoices.py and
history.py."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.sales import bp, history, invoices as invoice_service
from blueprints.sales.routes_transactions import commit_or_refuse
from core.guards import parse_page
from core.htmx import is_htmx, render_htmx
from core.permissions import can, requires


@bp.route("/invoices")
@requires("customers.basic")
def invoices():
    """Open and paid invoices, numbered (seed 002). The list is a profile
    resource: it needs the transactions/invoices permission or settling."""
    if not (can(current_user, "customers.history.view") or can(current_user, "sales.invoices")):
        abort(403)
    status = request.args.get("status", "")
    status = status if status in invoice_service.INVOICE_STATUSES else ""
    page = invoice_service.invoice_page(status, parse_page(request.args.get("page")),
                                        current_app.config["PAGE_SIZE"])
    return render_htmx("sales/invoices.html", "sales/_invoices.html", page=page, current_status=status,
                       statuses=invoice_service.INVOICE_STATUSES)


@bp.route("/invoices/<int:invoice_id>/settle", methods=["POST"])
@requires("sales.invoices")
def settle(invoice_id: int):
    """*Régler*: marks an open invoice paid. Answers with the piece of page it
    came from: the invoice's row, or the profile's history."""
    back = request.referrer or url_for("sales.invoices")
    invoice, refused = commit_or_refuse(lambda: invoice_service.settle_invoice(invoice_id, current_user.id), back)
    if refused is not None:
        return refused
    message = _("Facture %(number)s réglée.", number=invoice.number)
    if not is_htmx():
        flash(message, "success")
        return redirect(back)
    if request.form.get("from") == "history" and invoice.customer_id:
        return _history(invoice.customer_id, message=message)
    return render_template("sales/_invoice_row.html", invoice=invoice, message=message)


def _history(customer_id: int, message: str | None = None):
    found = history.customer_history(customer_id)
    if found is None:
        abort(404)
    return render_template("sales/_customer_history.html", customer=found.customer, sales=found.sales,
                           more_sales=found.more_sales, invoices=found.invoices, message=message)


@bp.route("/customer/<int:customer_id>/history")
@requires("customers.history.view")
def customer_history(customer_id: int):
    """The profile's transactions and invoices (a fragment, loaded by the profile)."""
    return _history(customer_id)
