"""The loyalty programme's pages (seed 003). Thin: read the request, call
service.py, commit once, render the page or the fragment."""
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core.audit import record_contact_view
from blueprints.loyalty import bp
from blueprints.loyalty import service
from blueprints.loyalty.forms import (EnrolForm, GroupForm, MemberPointsForm, PointsForm, RedeemForm,
                                      RemoveForm, RewardForm)
from blueprints.loyalty.service import NAME_PARTS, LoyaltyError, MemberQuery
from extensions import db
from core.htmx import hx_redirect, is_htmx, render_htmx
from core.guards import parse_page
from models import Group, ShopSettings
from models.base import utcnow
from core.permissions import customer_view, requires

CHANGED = "loyalty-changed"  # htmx event: the list behind the panel is stale


def _region() -> str:
    return ShopSettings.get().phone_region


def _member_or_404(customer_id: int):
    member = service.get_member(customer_id)
    if member is None:
        abort(404)
    return member


def _attach(form, error: LoyaltyError) -> None:
    """Put a service's message beside the field it names (or on the form)."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _changed(response):
    response.headers["HX-Trigger"] = CHANGED
    return response


# --- members ----------------------------------------------------------------------

@bp.route("")
@requires("customers.basic")
def index():
    """Every enrolled customer, zero points too: search, group filter, sorted
    by points, paged in the URL. htmx asks for the results only."""
    query = MemberQuery.from_args(request.args)
    region = _region()
    page = service.list_members(current_user, query, current_app.config["PAGE_SIZE"], region)
    rows = [(customer_view(current_user, customer, region), customer.points_balance) for customer in page.items]
    groups = db.session.scalars(select(Group).order_by(Group.name)).all()
    # Filtered by a group: the group's customers too, as the Groupes page counts
    # them ("82 clients, dont 48 membres du programme").
    group_clients = service.group_member_count(query.group) if query.group and not query.q else None
    return render_htmx("loyalty/index.html", "loyalty/_members.html",
                       query=query, page=page, rows=rows, groups=groups, group_clients=group_clients)


@bp.route("/members/new", methods=["GET", "POST"])
@requires("customers.basic")
def new_member():
    """Ajouter le client: by email (the username), phone, first and last name."""
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            enrolment = service.enrol_customer(email=form.email.data, phone=form.phone.data,
                                               first_name=form.first_name.data, last_name=form.last_name.data,
                                               employee_id=current_user.id)
            db.session.commit()
        except LoyaltyError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            name = enrolment.customer.display_name
            if enrolment.created:
                flash(_("Inscription au programme de fidélité : %(name)s.", name=name), "success")
            elif enrolment.already_member:
                flash(_("Déjà membre du programme : %(name)s ; aucun doublon n’a été créé.", name=name), "info")
            else:
                flash(_("Fiche trouvée dans le répertoire de clients, maintenant membre du programme : %(name)s "
                        "(sans doublon ; coordonnées inchangées).", name=name), "info")
            return redirect(url_for(".member", customer_id=enrolment.customer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("loyalty/new.html", form=form), status


# --- inline name editing (click-to-edit: GET …/edit the form, POST … the display) ---

def _name_value(member, part: str) -> str:
    return getattr(member, NAME_PARTS[part]) or ""


@bp.route("/members/<int:customer_id>/name/<any(first,last):part>/edit")
@requires("customers.basic")
def name_edit(customer_id: int, part: str):
    member = _member_or_404(customer_id)
    return render_htmx("loyalty/name_edit.html", "loyalty/_name_form.html",
                       member=member, part=part, value=_name_value(member, part), error=None,
                       standalone=not is_htmx())


@bp.route("/members/<int:customer_id>/name/<any(first,last):part>")
@requires("customers.basic")
def name_show(customer_id: int, part: str):
    """The name as displayed: Escape puts it back without saving."""
    member = _member_or_404(customer_id)
    if not is_htmx():
        return redirect(url_for(".index"))
    return render_template("loyalty/_name_cell.html", member=member, part=part)


@bp.route("/members/<int:customer_id>/name/<any(first,last):part>", methods=["POST"])
@requires("customers.basic")
def name_save(customer_id: int, part: str):
    member = _member_or_404(customer_id)
    value = request.form.get("value", "")
    try:
        service.rename(member, part, value, current_user.id)
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


# --- the member's panel ----------------------------------------------------------------

def _panel_context(member, **overrides) -> dict:
    region = _region()
    context = {
        "record": member,
        "customer": customer_view(current_user, member, region),
        "unlinked_at": {phone.id: phone.unlinked_at for phone in member.phones},
        "entries": service.recent_entries(member.id),
        "rewards": service.rewards_of(member.id),
        "now": utcnow(),
        "points_form": MemberPointsForm(formdata=None, prefix="quick"),
        "reward_form": RewardForm(formdata=None, prefix="reward"),
        "remove_form": RemoveForm(formdata=None, prefix="remove"),
        "settings_validity": ShopSettings.get().reward_validity_days,
        "group_error": None,
        "group_value": "",
        "focus": None,
        "rewards_open": False,
        "points_message": None,
        "reward_error": None,
        "contact_error": None,
        "contact_message": None,
    }
    context.update(overrides)
    return context


def _section(member, fragment: str, status: int = 200, **overrides):
    """A panel section for htmx; the member's page otherwise (after a change,
    by redirect, so a reload does not repeat it)."""
    if not is_htmx():
        if status == 200 and request.method == "POST":
            return redirect(url_for(".member", customer_id=member.id))
        return render_template("loyalty/member.html", **_panel_context(member, **overrides)), status
    response = make_response(render_template(fragment, **_panel_context(member, **overrides)), status)
    return _changed(response) if status == 200 and request.method == "POST" else response


@bp.route("/members/<int:customer_id>")
@requires("customers.basic")
def member(customer_id: int):
    """The panel behind the button beside a name: phones, groups, points,
    one-time rewards, removal. A page of its own, or the list's dialog."""
    member = _member_or_404(customer_id)
    context = _panel_context(member)
    record_contact_view(context["customer"], via="loyalty")
    db.session.commit()
    return render_htmx("loyalty/member.html", "loyalty/_panel.html", **context)


@bp.route("/members/<int:customer_id>/phones/<int:phone_id>/unlink", methods=["POST"])
@requires("customers.phone.edit")
def unlink_phone(customer_id: int, phone_id: int):
    member = _member_or_404(customer_id)
    try:
        was_linked = any(p.id == phone_id and p.linked for p in member.phones)
        remaining = service.username_after_unlink(member, phone_id)
        service.unlink_phone(member, phone_id, current_user.id)
    except LookupError:
        abort(404)
    except LoyaltyError as error:
        db.session.rollback()
        return _section(_member_or_404(customer_id), "loyalty/_panel_contact.html", 422, contact_error=str(error))
    db.session.commit()
    message = None
    if was_linked and remaining == "email":
        message = _("Numéro dissocié : ce membre garde seulement son adresse courriel comme nom d’utilisateur.")
        if not is_htmx():
            flash(message, "info")
    return _section(member, "loyalty/_panel_contact.html", contact_message=message)


@bp.route("/members/<int:customer_id>/groups", methods=["POST"])
@requires("loyalty.groups")
def add_group(customer_id: int):
    member = _member_or_404(customer_id)
    name = request.form.get("name", "")
    try:
        service.add_to_group(member, name, current_user.id)
        db.session.commit()
    except LoyaltyError as error:
        db.session.rollback()
        member = _member_or_404(customer_id)
        return _section(member, "loyalty/_panel_groups.html", 422, group_error=str(error),
                        group_value=name, focus="groups")
    return _section(member, "loyalty/_panel_groups.html", focus="groups")


@bp.route("/members/<int:customer_id>/groups/<int:group_id>/remove", methods=["POST"])
@requires("loyalty.groups")
def remove_group(customer_id: int, group_id: int):
    member = _member_or_404(customer_id)
    service.remove_from_group(member, group_id, current_user.id)
    db.session.commit()
    return _section(member, "loyalty/_panel_groups.html", focus="groups")


@bp.route("/groups/suggest")
@requires("loyalty.groups")
def suggest_groups():
    """Options for the tag editor's datalist, as the name is typed."""
    groups = service.suggest_groups(request.args.get("name", ""))
    return render_template("loyalty/_group_options.html", groups=groups)


@bp.route("/members/<int:customer_id>/points", methods=["POST"])
@requires("loyalty.points")
def member_points(customer_id: int):
    """Add or redeem from the panel; the balance shown changes at once."""
    member = _member_or_404(customer_id)
    form = MemberPointsForm(prefix="quick")
    action = "redeem" if request.form.get("action") == "redeem" else "add"
    if form.validate_on_submit():
        change = service.add_points if action == "add" else service.redeem_points
        try:
            entry = change(member, form.points.data, form.reason.data, current_user.id)
            db.session.commit()
        except LoyaltyError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            return _section(member, "loyalty/_panel_points.html", points_message=_points_message(entry))
    return _section(_member_or_404(customer_id), "loyalty/_panel_points.html", 422, points_form=form)


def _points_message(entry) -> str:
    if entry.delta > 0:
        return ngettext("%(num)s point ajouté.", "%(num)s points ajoutés.", entry.delta)
    return ngettext("%(num)s point utilisé.", "%(num)s points utilisés.", -entry.delta)


@bp.route("/members/<int:customer_id>/rewards", methods=["POST"])
@requires("loyalty.rewards")
def grant_reward(customer_id: int):
    member = _member_or_404(customer_id)
    form = RewardForm(prefix="reward")
    if form.validate_on_submit():
        try:
            service.grant_reward(member, form.name.data, form.validity_days.data, current_user.id,
                                 kind=form.kind.data, value=form.value.data, item_name=form.item_name.data,
                                 type_id=form.type_id.data)
            db.session.commit()
        except LoyaltyError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            return _section(member, "loyalty/_panel_rewards.html", rewards_open=True)
    return _section(_member_or_404(customer_id), "loyalty/_panel_rewards.html", 422,
                    reward_form=form, rewards_open=True)


@bp.route("/members/<int:customer_id>/rewards/<int:reward_id>/claim", methods=["POST"])
@requires("loyalty.rewards")
def claim_reward(customer_id: int, reward_id: int):
    member = _member_or_404(customer_id)
    try:
        service.claim_reward(member, reward_id, current_user.id)
        db.session.commit()
    except LookupError:
        abort(404)
    except LoyaltyError as error:
        db.session.rollback()
        return _section(_member_or_404(customer_id), "loyalty/_panel_rewards.html", 422,
                        reward_error=str(error), rewards_open=True)
    return _section(member, "loyalty/_panel_rewards.html", rewards_open=True)


@bp.route("/members/<int:customer_id>/rewards/<int:reward_id>/delete", methods=["POST"])
@requires("loyalty.rewards")
def delete_reward(customer_id: int, reward_id: int):
    """The red X (after a confirmation): out of the history; an earned reward is revoked."""
    member = _member_or_404(customer_id)
    try:
        service.delete_reward(member, reward_id, current_user.id)
    except LookupError:
        abort(404)
    db.session.commit()
    return _section(member, "loyalty/_panel_rewards.html", rewards_open=True)


@bp.route("/members/<int:customer_id>/remove", methods=["POST"])
@requires("loyalty.remove")
def remove_member(customer_id: int):
    """Retirer du programme: permanent, confirmed with a checkbox."""
    member = _member_or_404(customer_id)
    form = RemoveForm(prefix="remove")
    if not form.validate_on_submit():
        return _section(member, "loyalty/_panel_remove.html", 422, remove_form=form)
    name = member.display_name
    service.remove_from_programme(member, current_user.id)
    db.session.commit()
    flash(_("Retrait du programme de fidélité : %(name)s. La fiche reste dans le répertoire de clients.", name=name),
          "success")
    return hx_redirect(url_for(".index"))


# --- Ajouter des points / Utiliser des points ---------------------------------------------

def _points_page(action: str):
    form = (PointsForm if action == "add" else RedeemForm)()
    result = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                customer, entry = service.change_points_by_username(
                    action, form.username.data, form.points.data, form.reason.data, current_user.id)
                db.session.commit()
            except LoyaltyError as error:
                db.session.rollback()
                _attach(form, error)
            else:
                status = 200
                result = {"customer": customer, "entry": entry, "balance": customer.points_balance,
                          "message": _points_message(entry)}
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


# --- groups ------------------------------------------------------------------------------------

def _groups_response(status: int = 200, **context):
    context.setdefault("form", GroupForm(formdata=None))
    context.setdefault("rename_error", {})
    context.setdefault("message", None)
    if not is_htmx() and status == 200 and request.method == "POST":
        if context["message"]:
            flash(context["message"], "success")
        return redirect(url_for(".groups"))
    return render_htmx("loyalty/groups.html", "loyalty/_groups.html", status=status,
                       groups=service.groups_with_counts(), **context)


@bp.route("/groups")
@requires("customers.basic")
def groups():
    """The groups, with how many customers each holds. They are the directory's groups too."""
    return _groups_response()


@bp.route("/groups", methods=["POST"])
@requires("loyalty.groups")
def create_group():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = service.create_group(form.name.data, current_user.id)
            db.session.commit()
        except LoyaltyError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            return _groups_response(message=_("Groupe « %(name)s » créé.", name=group.name))
    return _groups_response(422, form=form)


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
@requires("loyalty.groups")
def rename_group(group_id: int):
    group = db.get_or_404(Group, group_id)
    name = request.form.get("name", "")
    try:
        service.rename_group(group, name, current_user.id)
        db.session.commit()
    except LoyaltyError as error:
        db.session.rollback()
        return _groups_response(422, rename_error={group_id: (str(error), name)})
    return _groups_response(message=_("Groupe renommé."))


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@requires("loyalty.groups")
def delete_group(group_id: int):
    group = db.get_or_404(Group, group_id)
    name = group.name
    count = service.delete_group(group, current_user.id)
    db.session.commit()
    return _groups_response(message=ngettext(
        "Groupe « %(name)s » supprimé ; %(num)s client en a été retiré.",
        "Groupe « %(name)s » supprimé ; %(num)s clients en ont été retirés.", count, name=name))


@bp.route("/groups/<int:group_id>")
@requires("customers.basic")
def group(group_id: int):
    """The customers of one group (members of the programme or not)."""
    group = db.get_or_404(Group, group_id)
    page_number = parse_page(request.args.get("page"))
    page = service.group_customers(group.id, page_number, current_app.config["PAGE_SIZE"])
    return render_template("loyalty/group.html", group=group, page=page)
