"""The loyalty programme's members list (seed 003): the list itself, "Ajouter
le client" and the names edited in place. Thin: read the request, call a
service, commit once, render the page or the fragment. The member's panel is
routes_panel.py; the points pages, the groups and the settings have their own
routes_*.py, on the same blueprint."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from blueprints.loyalty import bp, contact, enrolment, members
from blueprints.loyalty.contact import NAME_PARTS
from blueprints.loyalty.forms import EnrolForm
from blueprints.loyalty.groups import group_member_count
from blueprints.loyalty.members import MemberQuery
from blueprints.loyalty.rules import LoyaltyError
from blueprints.loyalty.saving import save_form
from core.htmx import is_htmx, render_htmx
from core.permissions import customer_view, requires
from extensions import db
from models import Group, ShopSettings


def member_or_404(customer_id: int):
    member = members.get_member(customer_id)
    if member is None:
        abort(404)
    return member


@bp.route("")
@requires("customers.basic")
def index():
    """Every enrolled customer, zero points too: search, group filter, sorted
    by points, paged in the URL. htmx asks for the results only."""
    query = MemberQuery.from_args(request.args)
    region = ShopSettings.get().phone_region
    page = members.list_members(current_user, query, current_app.config["PAGE_SIZE"], region)
    rows = [(customer_view(current_user, customer, region), customer.points_balance) for customer in page.items]
    groups = db.session.scalars(select(Group).order_by(Group.name)).all()
    # Filtered by a group: the group's customers too, as the Groupes page counts
    # them ("82 clients, dont 48 membres du programme").
    group_clients = group_member_count(query.group) if query.group and not query.q else None
    return render_htmx("loyalty/index.html", "loyalty/_members.html",
                       query=query, page=page, rows=rows, groups=groups, group_clients=group_clients)


@bp.route("/members/new", methods=["GET", "POST"])
@requires("customers.basic")
def new_member():
    """Ajouter le client: by email (the username), phone, first and last name."""
    form = EnrolForm()
    if form.validate_on_submit():
        enrolled = save_form(form, enrolment.enrol_customer, email=form.email.data, phone=form.phone.data,
                             first_name=form.first_name.data, last_name=form.last_name.data,
                             employee_id=current_user.id)
        if enrolled is not None:
            name = enrolled.customer.display_name
            if enrolled.created:
                flash(_("Inscription au programme de fidélité : %(name)s.", name=name), "success")
            elif enrolled.already_member:
                flash(_("Déjà membre du programme : %(name)s ; aucun doublon n’a été créé.", name=name), "info")
            else:
                flash(_("Fiche trouvée dans le répertoire de clients, maintenant membre du programme : %(name)s "
                        "(sans doublon ; coordonnées inchangées).", name=name), "info")
            return redirect(url_for(".member", customer_id=enrolled.customer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("loyalty/new.html", form=form), status


# --- inline name editing (click-to-edit: GET …/edit the form, POST … the display) ---

def _name_value(member, part: str) -> str:
    return getattr(member, NAME_PARTS[part]) or ""


@bp.route("/members/<int:customer_id>/name/<any(first,last):part>/edit")
@requires("customers.basic")
def name_edit(customer_id: int, part: str):
    member = member_or_404(customer_id)
    return render_htmx("loyalty/name_edit.html", "loyalty/_name_form.html",
                       member=member, part=part, value=_name_value(member, part), error=None,
                       standalone=not is_htmx())


@bp.route("/members/<int:customer_id>/name/<any(first,last):part>")
@requires("customers.basic")
def name_show(customer_id: int, part: str):
    """The name as displayed: Escape puts it back without saving."""
    member = member_or_404(customer_id)
    if not is_htmx():
        return redirect(url_for(".index"))
    return render_template("loyalty/_name_cell.html", member=member, part=part)


@bp.route("/members/<int:customer_id>/name/<any(first,last):part>", methods=["POST"])
@requires("customers.basic")
def name_save(customer_id: int, part: str):
    member = member_or_404(customer_id)
    value = request.form.get("value", "")
    try:
        contact.rename(member, part, value, current_user.id)
        db.session.commit()
    except (LoyaltyError, StaleDataError) as error:
        db.session.rollback()
        message = str(error) if isinstance(error, LoyaltyError) else \
            _("Ce client vient d’être modifié par quelqu’un d’autre ; rechargez la page.")
        return render_htmx("loyalty/name_edit.html", "loyalty/_name_form.html", status=422,
                           member=member, part=part, value=value, error=message, standalone=not is_htmx())
    if not is_htmx():
        flash(_("Nom enregistré."), "success")
        return redirect(url_for(".index"))
    return render_template("loyalty/_name_cell.html", member=member, part=part)
