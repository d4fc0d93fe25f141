from flask import render_template

from blueprints.sales import bp
from permissions import requires


@bp.route("")
@requires("access.register")
def index():
    return render_template("sales/index.html")


@bp.route("/new")
@requires("access.register")
def new():
    return render_template("sales/index.html")


@bp.route("/customer/<int:customer_id>/history")
@requires("customers.history.view")
def customer_history(customer_id: int):
    """The profile's transactions and invoices (a fragment, loaded by the profile)."""
    return render_template("sales/_customer_history.html", customer_id=customer_id)
