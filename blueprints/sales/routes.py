"""The sale screen at the counter: the sale being entered (items, customer,
discounts, payment) and *Encaisser*. Thin: read the request, call the sales
services, commit once, render. The customer part of the screen is in
routes_counter_customers.py, what comes after the sale in routes_transactions.py
and routes_invoices.py."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.sales import bp, counter_customers, discounts
from blueprints.sales.errors import SaleError
from blueprints.sales.lines import apply_line_op, read_lines, recent_items
from blueprints.sales.recording import PAYMENTS, SaleRequest, record_sale, selling_locations
from core.formatting import formats
from core.guards import parse_id
from core.htmx import hx_redirect, is_htmx, render_htmx
from core.permissions import can, requires
from extensions import db
from models.sales import CARD_BRANDS

# What the sale form carries besides its lines, shown again as typed on an error.
SALE_FIELDS = ("location_id", "payment_method", "card_brand", "card_last4", "card_holder_name")


def _state_from_form(form) -> dict:
    """The sale being entered, carried by the form itself (no server-side cart)."""
    lines = read_lines(form.getlist("line_name"), form.getlist("line_qty"), form.getlist("line_price"))
    return {"lines": lines,
            "entry": {"name": form.get("entry_name", ""), "qty": form.get("entry_qty", "1") or "1",
                      "price": form.get("entry_price", "")}}


def _quote(lines, form, op: str = "") -> tuple[discounts.Quote, dict]:
    """The discount lines the screen shows, from the form's choices and one tap (`op`)."""
    customer = counter_customers.sale_customer(current_user, form.get("customer_id"))
    return discounts.screen_quote(lines, customer, form, op, may_redeem=can(current_user, "loyalty.points"))


def _screen(status: int = 200, *, lines=None, entry=None, errors=None, values=None, picked=None,
            customer_q: str = "", customer_results=None, focus_entry: bool = False,
            fragment: str = "sales/_sale_form.html", quote=None):
    options, default = selling_locations(current_user.id)
    values = values or {}
    location_id = values.get("location_id") or (default.id if default else None)
    lines = lines or []
    if quote is None:
        quote = discounts.quote(lines, None, discounts.Adjustments(), may_redeem=False)
    return render_htmx("sales/new.html", fragment, status=status,
                       locations=options, location_id=str(location_id or ""), lines=lines,
                       total_cents=quote.total_cents, quote=quote,
                       entry=entry or {"name": "", "qty": "1", "price": ""}, errors=errors or {},
                       values=values, picked=picked, customer_q=customer_q,
                       customer_results=customer_results, focus_entry=focus_entry,
                       recent=recent_items(),
                       brands=CARD_BRANDS, payments=PAYMENTS)


@bp.route("/new", methods=["GET", "POST"])
@requires("access.register")
def new():
    """The sale screen; POST is *Encaisser*: the whole sale in one transaction,
    then a redirect to its receipt so that a reload cannot charge twice."""
    if request.method == "GET":
        return _screen()
    form = request.form
    values = {key: form.get(key, "") for key in SALE_FIELDS}
    values["card_last4"] = values["card_last4"].strip()
    try:
        state = _state_from_form(form)
    except SaleError as error:
        return _screen(422, errors=error.errors, values=values)
    customer_id = form.get("customer_id") or None
    if customer_id is not None and not can(current_user, "customers.basic"):
        abort(403)
    options, _default = selling_locations(current_user.id)
    extra = {}
    customer_raw, location_raw = customer_id, values["location_id"]
    customer_id = parse_id(customer_raw) if customer_raw is not None else None
    location_id = parse_id(location_raw) if location_raw else None
    if (customer_raw is not None and customer_id is None) or (location_raw and location_id is None):
        customer_id, location_id = None, None
        extra["sale"] = _("La vente est illisible. Rechargez la page.")
    req = SaleRequest(
        location_id=location_id, lines=state["lines"], payment_method=values["payment_method"] or "cash",
        customer_id=customer_id, card_brand=values["card_brand"] or None,
        card_last4=values["card_last4"] or None, card_holder_name=values["card_holder_name"] or None,
        allowed_location_ids={loc.id for loc in options},
        pending_entry=bool(state["entry"]["name"].strip()), extra_errors=extra,
        adjustments=discounts.Adjustments.from_form(form, customer_id),
        may_redeem=can(current_user, "loyalty.points"))
    try:
        sale = record_sale(req, current_user.id)
        db.session.commit()
    except SaleError as error:
        db.session.rollback()
        picked = counter_customers.pick(current_user, customer_id)[0] if "customer_id" not in error.errors else None
        quote, _errors = _quote(state["lines"], form)
        return _screen(422, lines=state["lines"], entry=state["entry"], errors=error.errors,
                       values=values, picked=picked, quote=quote)
    flash(_("Vente enregistrée : %(total)s.", total=formats().money(sale.total_cents)), "success")
    return hx_redirect(url_for("sales.sale", sale_id=sale.id))


@bp.route("/new/update", methods=["POST"])
@requires("access.register")
def update():
    """A change of the sale being entered (add an item, a quick item, +/−,
    remove; without JavaScript also picking or finding a customer): the items
    fragment for htmx, the whole screen otherwise."""
    form = request.form
    values = {key: form.get(key, "") for key in SALE_FIELDS}
    try:
        state = _state_from_form(form)
    except SaleError as error:
        return _screen(422, errors=error.errors, values=values, fragment="sales/_lines_response.html")
    lines, entry, errors, status = state["lines"], state["entry"], {}, 200
    focus = False
    op = form.get("op") or form.get("quick") and f"quick:{form.get('quick')}" or ""
    try:
        lines = apply_line_op(lines, op, (entry["name"], entry["qty"], entry["price"]))
        if op == "add":
            entry, focus = {"name": "", "qty": "1", "price": ""}, True
    except SaleError as error:
        errors, status = error.errors, 422
    quote, quote_errors = _quote(lines, form, op)
    if quote_errors:
        errors.update(quote_errors)
        status = 422 if discounts.is_adjustment(op) else status
    picked, customer_q, results = None, "", None
    if not is_htmx() and can(current_user, "customers.basic"):
        picked, refused = counter_customers.pick(current_user, form.get("customer_id"))
        if refused:
            errors["customer_id"] = refused
        customer_q = (form.get("customer_q") or "").strip()
        if picked is None and customer_q:
            results = counter_customers.search(current_user, customer_q)
    # A discount's tap (or another customer on the sale) changes the discounts
    # only: the item being typed is left alone.
    fragment = "sales/_discounts_response.html" if discounts.is_adjustment(op) or op == "refresh" \
        else "sales/_lines_response.html"
    return _screen(status, lines=lines, entry=entry, errors=errors, values=values, picked=picked,
                   customer_q=customer_q, customer_results=results, focus_entry=focus,
                   fragment=fragment, quote=quote)
