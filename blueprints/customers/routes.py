from flask import current_app, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from audit import record
from blueprints.customers import bp
from blueprints.customers.search import CustomerQuery, customer_select
from extensions import db
from htmx import render_htmx
from models import Customer, ShopSettings
from pagination import paginate
from permissions import can, customer_view, requires


@bp.route("")
@requires("customers.basic")
def index():
    """The directory: a full page, or only the results for htmx (search as you type)."""
    query = CustomerQuery.from_args(request.args)
    region = ShopSettings.get().phone_region
    stmt = customer_select(current_user, query, region).options(
        selectinload(Customer.phones), selectinload(Customer.groups))
    page = paginate(stmt, query.page, current_app.config["PAGE_SIZE"])
    rows = [customer_view(current_user, customer, region) for customer in page.items]
    return render_htmx("customers/index.html", "customers/_results.html",
                       query=query, page=page, rows=rows)


@bp.route("/<int:customer_id>")
@requires("customers.basic")
def profile(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    if customer.anonymised:
        from flask import abort
        abort(404)
    view = customer_view(current_user, customer, ShopSettings.get().phone_region)
    if view.email or view.phones or view.address:
        # Opening a profile with contact details is itself an audited act.
        record("profile_viewed", "customer", customer.id)
        db.session.commit()
    return render_htmx("customers/profile.html", "customers/profile.html", customer=view, record=customer,
                       can_archive=can(current_user, "customers.archive"))
