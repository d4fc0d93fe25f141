"""Sales: the sale screen at the counter, transactions, invoices. Thin: read
the request, call service.py, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.audit import record_contact_view
from blueprints.customers.search import customer_select
from blueprints.customers.search_query import CustomerQuery
from blueprints.sales import bp
from blueprints.sales import discounts, service
from blueprints.sales.forms import CounterCustomerForm, NameForm, apply_errors
from blueprints.sales.service import SaleError
from blueprints.sales.transactions import TransactionQuery, invoices_by_sale, keyset_page, transaction_select
from extensions import db
from core.htmx import hx_redirect, is_htmx, render_htmx
from core.guards import parse_id, parse_page, refused_in
from models import Customer, Employee, Invoice, Location, Sale, ShopSettings
from models.sales import CARD_BRANDS
from core.pagination import paginate
from core.permissions import can, customer_view, field_level, requires

SEARCH_LIMIT = 8


# --- the sale screen ---------------------------------------------------------

def _locations() -> tuple[list[Location], Location | None]:
    """The locations this employee sells at (their own, or every active one)
    and the default: their first location, or the shop's first."""
    employee = db.session.get(Employee, current_user.id)
    own = [loc for loc in employee.locations if loc.active]
    options = own or list(db.session.scalars(select(Location).where(Location.active.is_(True))
                                             .order_by(Location.id)))
    return options, (options[0] if options else None)


def _panel(customer: Customer) -> dict:
    """What the side panel shows of the customer, through the permission view."""
    view = customer_view(current_user, customer, ShopSettings.get().phone_region)
    invoices = []
    if can(current_user, "customers.history.view"):
        invoices = list(db.session.scalars(
            select(Invoice).where(Invoice.customer_id == customer.id, Invoice.status == "open")
            .order_by(Invoice.id)))
    from blueprints.customers.quality import open_kinds  # the inbox's open items: a discreet hint
    return {"view": view, "record": customer, "open_invoices": invoices,
            "open_total": sum(inv.amount_cents for inv in invoices),
            "quality_hints": open_kinds(current_user, customer.id)}


def _picked(customer_id) -> tuple[dict | None, str | None]:
    """The panel of a customer the screen asks for, or the reason it is refused."""
    if not customer_id or not can(current_user, "customers.basic"):
        return None, None
    customer = db.session.get(Customer, parse_id(customer_id)) if parse_id(customer_id) else None
    if customer is None or customer.anonymised:
        return None, _("Ce client n’existe pas ou plus.")
    try:
        service.ensure_can_join_sale(customer)
    except service.CustomerError as error:
        return None, str(error)
    return _panel(customer), None


def _state_from_form(form) -> dict:
    """The sale being entered, carried by the form itself (no server-side cart)."""
    lines = service.read_lines(form.getlist("line_name"), form.getlist("line_qty"), form.getlist("line_price"))
    return {"lines": lines,
            "entry": {"name": form.get("entry_name", ""), "qty": form.get("entry_qty", "1") or "1",
                      "price": form.get("entry_price", "")}}


def _sale_customer(customer_id) -> Customer | None:
    """The customer the sale form names, when they may be on a sale."""
    customer_id = parse_id(customer_id)
    if customer_id is None or not can(current_user, "customers.basic"):
        return None
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.archived or customer.anonymised:
        return None
    return customer


def _quote(lines, form, op: str = "") -> tuple[discounts.Quote, dict]:
    """The discount lines the screen shows, from the form's choices and one tap (`op`)."""
    customer = _sale_customer(form.get("customer_id"))
    adjustments = discounts.Adjustments.from_form(form, customer.id if customer else None)
    errors = {}
    if customer is not None and discounts.is_adjustment(op):
        adjustments, errors = discounts.apply_op(adjustments, op, form.get("points_wanted"))
    quote = discounts.quote(lines, customer, adjustments, may_redeem=can(current_user, "loyalty.points"))
    errors = {**quote.errors, **errors}
    if op == "points:set" and not errors and adjustments.points > quote.adjustments.points:
        errors["redeem_points"] = ngettext(
            "%(num)s point utilisé : jamais plus que le solde ni que le total de la vente.",
            "%(num)s points utilisés : jamais plus que le solde ni que le total de la vente.",
            quote.adjustments.points)
    return quote, errors


def _screen(status: int = 200, *, lines=None, entry=None, errors=None, values=None, picked=None,
            customer_q: str = "", customer_results=None, focus_entry: bool = False,
            fragment: str = "sales/_sale_form.html", quote=None):
    options, default = _locations()
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
                       recent=service.recent_items(),
                       brands=CARD_BRANDS, payments=service.PAYMENTS)


@bp.route("/new", methods=["GET", "POST"])
@requires("access.register")
def new():
    """The sale screen; POST is *Encaisser*: the whole sale in one transaction,
    then a redirect to its receipt so that a reload cannot charge twice."""
    if request.method == "GET":
        return _screen()
    form = request.form
    values = {key: form.get(key, "") for key in ("location_id", "payment_method", "card_brand",
                                                 "card_last4", "card_holder_name")}
    values["card_last4"] = values["card_last4"].strip()
    try:
        state = _state_from_form(form)
    except SaleError as error:
        return _screen(422, errors=error.errors, values=values)
    customer_id = form.get("customer_id") or None
    if customer_id is not None and not can(current_user, "customers.basic"):
        abort(403)
    options, _default = _locations()
    extra = {}
    customer_raw, location_raw = customer_id, values["location_id"]
    customer_id = parse_id(customer_raw) if customer_raw is not None else None
    location_id = parse_id(location_raw) if location_raw else None
    if (customer_raw is not None and customer_id is None) or (location_raw and location_id is None):
        customer_id, location_id = None, None
        extra["sale"] = _("La vente est illisible. Rechargez la page.")
    req = service.SaleRequest(
        location_id=location_id, lines=state["lines"], payment_method=values["payment_method"] or "cash",
        customer_id=customer_id, card_brand=values["card_brand"] or None,
        card_last4=values["card_last4"] or None, card_holder_name=values["card_holder_name"] or None,
        allowed_location_ids={loc.id for loc in options},
        pending_entry=bool(state["entry"]["name"].strip()), extra_errors=extra,
        adjustments=discounts.Adjustments.from_form(form, customer_id),
        may_redeem=can(current_user, "loyalty.points"))
    try:
        sale = service.record_sale(req, current_user.id)
        db.session.commit()
    except SaleError as error:
        db.session.rollback()
        picked = _picked(customer_id)[0] if "customer_id" not in error.errors else None
        quote, _errors = _quote(state["lines"], form)
        return _screen(422, lines=state["lines"], entry=state["entry"], errors=error.errors,
                       values=values, picked=picked, quote=quote)
    flash(_("Vente enregistrée : %(total)s.", total=_money(sale.total_cents)), "success")
    return hx_redirect(url_for("sales.sale", sale_id=sale.id))


def _money(cents: int) -> str:
    return current_app.jinja_env.filters["money"](cents)


@bp.route("/new/update", methods=["POST"])
@requires("access.register")
def update():
    """A change of the sale being entered (add an item, a quick item, +/−,
    remove; without JavaScript also picking or finding a customer): the items
    fragment for htmx, the whole screen otherwise."""
    form = request.form
    values = {key: form.get(key, "") for key in ("location_id", "payment_method", "card_brand",
                                                 "card_last4", "card_holder_name")}
    try:
        state = _state_from_form(form)
    except SaleError as error:
        return _screen(422, errors=error.errors, values=values, fragment="sales/_lines_response.html")
    lines, entry, errors, status = state["lines"], state["entry"], {}, 200
    focus = False
    op = form.get("op") or form.get("quick") and f"quick:{form.get('quick')}" or ""
    try:
        lines = service.apply_line_op(lines, op, (entry["name"], entry["qty"], entry["price"]))
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
        picked, refused = _picked(form.get("customer_id"))
        if refused:
            errors["customer_id"] = refused
        customer_q = (form.get("customer_q") or "").strip()
        if picked is None and customer_q:
            results = _search(customer_q)
    # A discount's tap (or another customer on the sale) changes the discounts
    # only: the item being typed is left alone.
    fragment = "sales/_discounts_response.html" if discounts.is_adjustment(op) or op == "refresh" \
        else "sales/_lines_response.html"
    return _screen(status, lines=lines, entry=entry, errors=errors, values=values, picked=picked,
                   customer_q=customer_q, customer_results=results, focus_entry=focus,
                   fragment=fragment, quote=quote)


# --- the customer on the sale screen ----------------------------------------

def _search(term: str) -> list:
    region = ShopSettings.get().phone_region
    stmt = customer_select(current_user, CustomerQuery(q=term), region).options(
        selectinload(Customer.phones), selectinload(Customer.groups)).limit(SEARCH_LIMIT)
    return [(customer_view(current_user, customer, region), customer) for customer in db.session.scalars(stmt)]


ARCHIVED_LIMIT = 3


def _archived_matches(term: str) -> list:
    """Archived customers the term finds (the same rule), said as such rather
    than "no match": they cannot join a sale until unarchived (seed 000)."""
    region = ShopSettings.get().phone_region
    stmt = (customer_select(current_user, CustomerQuery(q=term, archived=True), region)
            .where(Customer.archived.is_(True)).limit(ARCHIVED_LIMIT))
    return [customer_view(current_user, customer, region) for customer in db.session.scalars(stmt)]


@bp.route("/counter/customers")
@requires("access.register", "customers.basic")
def customer_search():
    """Search as you type: the directory's own rule. Archived customers are
    never offered for the sale; when only archived ones match, they are named."""
    term = (request.args.get("customer_q") or "").strip()[:100]
    results = _search(term) if term else None
    archived = _archived_matches(term) if term and not results else []
    return render_template("sales/_customer_results.html", results=results, archived=archived,
                           customer_q=term)


@bp.route("/counter/customers/<int:customer_id>/unarchive", methods=["POST"])
@requires("access.register", "customers.archive")
def customer_unarchive(customer_id: int):
    """Désarchiver from the sale screen, and the customer joins the sale."""
    from blueprints.customers.archiving import unarchive_customer
    customer = _customer_for_name(customer_id)
    try:
        unarchive_customer(customer)
        db.session.commit()
    except service.CustomerError as error:
        db.session.rollback()
        return render_template("errors/_message.html", message=str(error)), 409
    if not is_htmx():
        flash(_("Client désarchivé : il peut être ajouté à la vente."), "success")
        return redirect(url_for("sales.new"))
    return render_template("sales/_customer_block.html", picked=_panel(customer), errors={},
                           refresh_lines=True)


@bp.route("/counter/customer")
@requires("access.register", "customers.basic")
def customer_block():
    """The customer part of the screen: the side panel of the chosen customer,
    or the search when none (or when the one asked for cannot join a sale)."""
    picked, refused = _picked(request.args.get("customer_id"))
    errors = {"customer_id": refused} if refused else {}
    if picked:
        record_contact_view(picked["view"], via="counter")
        db.session.commit()
    return render_template("sales/_customer_block.html", picked=picked, errors=errors, customer_q="",
                           refresh_lines=True), (422 if refused else 200)


@bp.route("/counter/customers/new", methods=["GET", "POST"])
@requires("access.register", "customers.basic")
def customer_add():
    """Adding a customer on the spot; email and phone only for who may edit them."""
    form = CounterCustomerForm(prefix="new", formdata=request.form if request.method == "POST" else None)
    may_email = field_level(current_user, "email") == "edit"
    may_phone = field_level(current_user, "phone") == "edit"
    if request.method == "POST":
        try:
            if refused := refused_in(form):  # a control character (core/guards.py): beside its field
                raise SaleError(refused)
            customer = service.add_customer_at_counter(
                form.first_name.data, form.last_name.data,
                email=form.email.data if may_email else None, phone=form.phone.data if may_phone else None)
            from core.audit import record
            record("customer_created", "customer", customer.id, details={"via": "sale"})
            db.session.commit()
        except SaleError as error:
            db.session.rollback()
            apply_errors(form, error.errors)
            return render_template("sales/_customer_add.html", form=form, may_email=may_email,
                                   may_phone=may_phone), 422
        return render_template("sales/_customer_block.html", picked=_panel(customer), errors={},
                               refresh_lines=True)
    return render_template("sales/_customer_add.html", form=form, may_email=may_email, may_phone=may_phone)


def _customer_for_name(customer_id: int) -> Customer:
    customer = db.get_or_404(Customer, customer_id)
    if customer.anonymised:
        abort(404)
    return customer


@bp.route("/counter/customers/<int:customer_id>/name")
@requires("access.register", "customers.basic")
def name_display(customer_id: int):
    return render_template("sales/_customer_name.html", picked=_panel(_customer_for_name(customer_id)))


@bp.route("/counter/customers/<int:customer_id>/name/edit")
@requires("access.register", "customers.basic")
def name_edit(customer_id: int):
    customer = _customer_for_name(customer_id)
    form = NameForm(prefix="name", data={"first_name": customer.first_name, "last_name": customer.last_name})
    return render_template("sales/_customer_name_form.html", form=form, customer=customer)


@bp.route("/counter/customers/<int:customer_id>/name", methods=["POST"])
@requires("access.register", "customers.basic")
def name_save(customer_id: int):
    """Click the name, fix it, Enter: the panel shows the fixed name."""
    customer = _customer_for_name(customer_id)
    form = NameForm(prefix="name", formdata=request.form)
    try:
        if refused := refused_in(form):  # a control character (core/guards.py): beside its field
            raise SaleError(refused)
        service.rename_customer(customer.id, form.first_name.data, form.last_name.data)
        db.session.commit()
    except (SaleError, service.CustomerError) as error:
        db.session.rollback()
        apply_errors(form, getattr(error, "errors", None) or {"first_name": str(error)})
        customer = _customer_for_name(customer_id)
        return render_template("sales/_customer_name_form.html", form=form, customer=customer), 422
    return render_template("sales/_customer_name.html", picked=_panel(customer))


# --- transactions ------------------------------------------------------------

@bp.route("")
@requires("access.register")
def index():
    """Every sale, newest first; filters and the page cursor live in the URL."""
    query = TransactionQuery.from_args(request.args)
    region = ShopSettings.get().phone_region
    page = keyset_page(transaction_select(current_user, query, region), query,
                       current_app.config["PAGE_SIZE"])
    invoices = invoices_by_sale([sale.id for sale in page.items])
    filter_customer = db.session.get(Customer, query.customer_id) if query.customer_id else None
    locations = list(db.session.scalars(select(Location).order_by(Location.name)))
    return render_htmx("sales/index.html", "sales/_transactions.html", query=query, page=page,
                       invoices=invoices, locations=locations, filter_customer=filter_customer,
                       payments=service.PAYMENTS)


@bp.route("/<int:sale_id>")
@requires("access.register")
def sale(sale_id: int):
    """One sale: its items, payment, customer, invoice; refund or void."""
    record = db.session.scalar(select(Sale).where(Sale.id == sale_id).options(
        selectinload(Sale.items), selectinload(Sale.location), selectinload(Sale.employee),
        selectinload(Sale.customer)))
    if record is None:
        abort(404)
    invoice = db.session.scalar(select(Invoice).where(Invoice.sale_id == sale_id))
    return render_template("sales/sale.html", sale=record, invoice=invoice)


def _refund_messages(outcome) -> list[tuple[str, str]]:
    """What the cashier is told after a refund: the money, the points both
    ways, what could not be taken back, and the rewards given back."""
    from core.formatting import format_date  # the shop's date style (issue 14)
    sale = outcome.sale
    if sale.status == "refunded":
        messages = [(_("Vente remboursée."), "success")]
    elif sale.status == "voided":
        messages = [(_("Vente annulée."), "success")]
    else:
        messages = [(_("Remboursement partiel : %(amount)s.", amount=_money(outcome.refunded_cents)), "success")]
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
    try:
        outcome = work()
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except SaleError as error:
        db.session.rollback()
        if is_htmx():
            return render_template("errors/_message.html", message=str(error)), 409
        flash(str(error), "error")
        return redirect(url_for("sales.sale", sale_id=sale_id))
    for message, category in _refund_messages(outcome):
        flash(message, category)
    return hx_redirect(url_for("sales.sale", sale_id=sale_id))


@bp.route("/<int:sale_id>/cancel", methods=["POST"])
@requires("sales.refund")
def cancel(sale_id: int):
    """Refund or void (after the confirmation on the button)."""
    action = request.form.get("action", "")
    return _after_refund(sale_id, lambda: service.refund_sale(sale_id, action, current_user.id))


@bp.route("/<int:sale_id>/refund-items", methods=["POST"])
@requires("sales.refund")
def refund_items(sale_id: int):
    """A partial refund: the quantities chosen per item (refund_qty_<item id>)."""
    quantities = {}
    for key, value in request.form.items():
        if key.startswith("refund_qty_") and key[11:].isdigit():
            text = (value or "").strip()
            quantities[int(key[11:])] = int(text) if text.isdigit() and len(text) <= 6 else -1 if text else 0
    return _after_refund(sale_id, lambda: service.refund_items(sale_id, quantities, current_user.id))


# --- invoices ----------------------------------------------------------------

@bp.route("/invoices")
@requires("customers.basic")
def invoices():
    """Open and paid invoices, numbered (seed 002). The list is a profile
    resource: it needs the transactions/invoices permission or settling."""
    if not (can(current_user, "customers.history.view") or can(current_user, "sales.invoices")):
        abort(403)
    status = request.args.get("status", "")
    status = status if status in service.INVOICE_STATUSES else ""
    page_number = parse_page(request.args.get("page"))
    stmt = select(Invoice).options(selectinload(Invoice.customer), selectinload(Invoice.paid_by))
    if status:
        stmt = stmt.where(Invoice.status == status)
    page = paginate(stmt.order_by(Invoice.id.desc()), page_number, current_app.config["PAGE_SIZE"])
    return render_htmx("sales/invoices.html", "sales/_invoices.html", page=page, current_status=status,
                       statuses=service.INVOICE_STATUSES)


@bp.route("/invoices/<int:invoice_id>/settle", methods=["POST"])
@requires("sales.invoices")
def settle(invoice_id: int):
    """*Régler*: marks an open invoice paid. Answers with the piece of page it
    came from: the invoice's row, or the profile's history."""
    try:
        invoice = service.settle_invoice(invoice_id, current_user.id)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except SaleError as error:
        db.session.rollback()
        if is_htmx():
            return render_template("errors/_message.html", message=str(error)), 409
        flash(str(error), "error")
        return redirect(request.referrer or url_for("sales.invoices"))
    message = _("Facture %(number)s réglée.", number=invoice.number)
    if not is_htmx():
        flash(message, "success")
        return redirect(request.referrer or url_for("sales.invoices"))
    if request.form.get("from") == "history" and invoice.customer_id:
        return _history(invoice.customer_id, message=message)
    return render_template("sales/_invoice_row.html", invoice=invoice, message=message)


# --- the profile's resources -------------------------------------------------

HISTORY_SALES = 10


def _history(customer_id: int, message: str | None = None):
    customer = db.get_or_404(Customer, customer_id)
    sales = list(db.session.scalars(
        select(Sale).where(Sale.customer_id == customer_id).options(selectinload(Sale.location))
        .order_by(Sale.created_at.desc(), Sale.id.desc()).limit(HISTORY_SALES + 1)))
    customer_invoices = list(db.session.scalars(
        select(Invoice).where(Invoice.customer_id == customer_id).options(selectinload(Invoice.paid_by))
        .order_by(Invoice.id.desc())))
    customer_invoices.sort(key=lambda inv: inv.status != "open")  # open ones first, stable
    return render_template("sales/_customer_history.html", customer=customer, sales=sales[:HISTORY_SALES],
                           more_sales=len(sales) > HISTORY_SALES, invoices=customer_invoices,
                           message=message)


@bp.route("/customer/<int:customer_id>/history")
@requires("customers.history.view")
def customer_history(customer_id: int):
    """The profile's transactions and invoices (a fragment, loaded by the profile)."""
    return _history(customer_id)
