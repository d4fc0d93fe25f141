"""The "Ajouter des points" and "Utiliser des points" pages (seed 003): points
by username, the member named by their email or phone. Thin, like routes.py."""
from flask import request
from flask_login import current_user

from blueprints.loyalty import bp, manual_points
from blueprints.loyalty.forms import PointsForm, RedeemForm
from blueprints.loyalty.saving import save_form
from core.htmx import render_htmx
from core.permissions import requires


def _points_page(action: str):
    form = (PointsForm if action == "add" else RedeemForm)()
    result = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            changed = save_form(form, manual_points.change_points_by_username,
                                action, form.username.data, form.points.data, form.reason.data, current_user.id)
            if changed is not None:
                customer, entry = changed
                status = 200
                result = {"customer": customer, "entry": entry, "balance": customer.points_balance,
                          "message": manual_points.change_message(entry)}
                # Ready for the next one: the same username, an empty amount.
                form.points.data = ""
                form.reason.data = ""
    return render_htmx("loyalty/points.html", "loyalty/_points_form.html", status=status,
                       form=form, action=action, result=result)


@bp.route("/points/add", methods=["GET", "POST"])
@requires("loyalty.points")
def add_points():
    return _points_page("add")


@bp.route("/points/redeem", methods=["GET", "POST"])
@requires("loyalty.points")
def redeem_points():
    return _points_page("redeem")
