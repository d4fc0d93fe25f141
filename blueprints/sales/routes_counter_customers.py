"""The customer part of the sale screen: search as you type, the side panel,
adding a customer on the spot, fixing a misspelt name, unarchiving. Thin, like
routes.py: the rules and queries are in counter_customers.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.customers.archiving import unarchive_customer
from blueprints.customers.service import CustomerError
from blueprints.sales import bp, counter_customers
from blueprints.sales.errors import SaleError
from blueprints.sales.forms import CounterCustomerForm, NameForm, apply_errors
from core.audit import record_contact_view
from core.guards import refused_in
from core.htmx import is_htmx
from core.permissions import field_level, requires
from extensions import db
from models import Customer


def _customer_for_name(customer_id: int) -> Customer:
    customer = counter_customers.named_customer(customer_id)
    if customer is None:
        abort(404)
    return customer


@bp.route("/counter/customers")
@requires("access.register", "customers.basic")
def customer_search():
    """Search as you type: the directory's own rule. Archived customers are
    never offered for the sale; when only archived ones match, they are named."""
    term = (request.args.get("customer_q") or "").strip()[:100]
    results = counter_customers.search(current_user, term) if term else None
    archived = counter_customers.archived_matches(current_user, term) if term and not results else []
    return render_template("sales/_customer_results.html", results=results, archived=archived,
                           customer_q=term)


@bp.route("/counter/customers/<int:customer_id>/unarchive", methods=["POST"])
@requires("access.register", "customers.archive")
def customer_unarchive(customer_id: int):
    """Désarchiver from the sale screen, and the customer joins the sale."""
    customer = _customer_for_name(customer_id)
    try:
        unarchive_customer(customer)
        db.session.commit()
    except CustomerError as error:
        db.session.rollback()
        return render_template("errors/_message.html", message=str(error)), 409
    if not is_htmx():
        flash(_("Client désarchivé : il peut être ajouté à la vente."), "success")
        return redirect(url_for("sales.new"))
    return render_template("sales/_customer_block.html", picked=counter_customers.panel(current_user, customer),
                           errors={}, refresh_lines=True)


@bp.route("/counter/customer")
@requires("access.register", "customers.basic")
def customer_block():
    """The customer part of the screen: the side panel of the chosen customer,
    or the search when none (or when the one asked for cannot join a sale)."""
    picked, refused = counter_customers.pick(current_user, request.args.get("customer_id"))
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
            customer = counter_customers.add_customer_at_counter(
                form.first_name.data, form.last_name.data,
                email=form.email.data if may_email else None, phone=form.phone.data if may_phone else None)
            db.session.commit()
        except SaleError as error:
            db.session.rollback()
            apply_errors(form, error.errors)
            return render_template("sales/_customer_add.html", form=form, may_email=may_email,
                                   may_phone=may_phone), 422
        return render_template("sales/_customer_block.html", picked=counter_customers.panel(current_user, customer),
                               errors={}, refresh_lines=True)
    return render_template("sales/_customer_add.html", form=form, may_email=may_email, may_phone=may_phone)


@bp.route("/counter/customers/<int:customer_id>/name")
@requires("access.register", "customers.basic")
def name_display(customer_id: int):
    return render_template("sales/_customer_name.html",
                           picked=counter_customers.panel(current_user, _customer_for_name(customer_id)))


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
        counter_customers.rename_customer(customer.id, form.first_name.data, form.last_name.data)
        db.session.commit()
    except (SaleError, CustomerError) as error:
        db.session.rollback()
        apply_errors(form, getattr(error, "errors", None) or {"first_name": str(error)})
        customer = _customer_for_name(customer_id)
        return render_template("sales/_customer_name_form.html", form=form, customer=customer), 422
    return render_template("sales/_customer_name.html", picked=counter_customers.panel(current_user, customer))
