"""A member's panel (seed 003), the button beside a name in the list: phones,
groups, points, one-time rewards and removal from the programme. Each section
is its own htmx fragment; without htmx the member's page. Thin, like routes.py."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.loyalty import bp, contact, enrolment, groups, manual_points, points, rewards
from blueprints.loyalty.forms import MemberPointsForm, RemoveForm, RewardForm
from blueprints.loyalty.routes import member_or_404
from blueprints.loyalty.saving import save, save_form
from core.audit import record_contact_view
from core.htmx import hx_redirect, is_htmx, render_htmx
from core.permissions import customer_view, requires
from extensions import db
from models import ShopSettings
from models.base import utcnow

CHANGED = "loyalty-changed"  # htmx event: the list behind the panel is stale


def _panel_context(member, **overrides) -> dict:
    region = ShopSettings.get().phone_region
    context = {
        "record": member,
        "customer": customer_view(current_user, member, region),
        "unlinked_at": {phone.id: phone.unlinked_at for phone in member.phones},
        "entries": points.recent_entries(member.id),
        "rewards": rewards.rewards_of(member.id),
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
    if status == 200 and request.method == "POST":
        response.headers["HX-Trigger"] = CHANGED
    return response


@bp.route("/members/<int:customer_id>")
@requires("customers.basic")
def member(customer_id: int):
    """The panel behind the button beside a name: phones, groups, points,
    one-time rewards, removal. A page of its own, or the list's dialog."""
    member = member_or_404(customer_id)
    context = _panel_context(member)
    record_contact_view(context["customer"], via="loyalty")
    db.session.commit()
    return render_htmx("loyalty/member.html", "loyalty/_panel.html", **context)


@bp.route("/members/<int:customer_id>/phones/<int:phone_id>/unlink", methods=["POST"])
@requires("customers.phone.edit")
def unlink_phone(customer_id: int, phone_id: int):
    member = member_or_404(customer_id)
    was_linked = any(p.id == phone_id and p.linked for p in member.phones)
    remaining = contact.username_after_unlink(member, phone_id)
    _unlinked, error = save(contact.unlink_phone, member, phone_id, current_user.id)
    if error is not None:
        return _section(member_or_404(customer_id), "loyalty/_panel_contact.html", 422, contact_error=str(error))
    message = None
    if was_linked and remaining == "email":
        message = _("Numéro dissocié : ce membre garde seulement son adresse courriel comme nom d’utilisateur.")
        if not is_htmx():
            flash(message, "info")
    return _section(member, "loyalty/_panel_contact.html", contact_message=message)


@bp.route("/members/<int:customer_id>/groups", methods=["POST"])
@requires("loyalty.groups")
def add_group(customer_id: int):
    """The tag editor: Enter on a name (a new one creates the group)."""
    member = member_or_404(customer_id)
    name = request.form.get("name", "")
    _added, error = save(groups.add_to_group, member, name, current_user.id)
    if error is not None:
        # The session was rolled back: the member is read again.
        return _section(member_or_404(customer_id), "loyalty/_panel_groups.html", 422, group_error=str(error),
                        group_value=name, focus="groups")
    return _section(member, "loyalty/_panel_groups.html", focus="groups")


@bp.route("/members/<int:customer_id>/groups/<int:group_id>/remove", methods=["POST"])
@requires("loyalty.groups")
def remove_group(customer_id: int, group_id: int):
    member = member_or_404(customer_id)
    groups.remove_from_group(member, group_id, current_user.id)
    db.session.commit()
    return _section(member, "loyalty/_panel_groups.html", focus="groups")


@bp.route("/members/<int:customer_id>/points", methods=["POST"])
@requires("loyalty.points")
def member_points(customer_id: int):
    """Add or redeem from the panel; the balance shown changes at once."""
    member = member_or_404(customer_id)
    form = MemberPointsForm(prefix="quick")
    action = "redeem" if request.form.get("action") == "redeem" else "add"
    if form.validate_on_submit():
        change = manual_points.add_points if action == "add" else manual_points.redeem_points
        entry = save_form(form, change, member, form.points.data, form.reason.data, current_user.id)
        if entry is not None:
            return _section(member, "loyalty/_panel_points.html",
                            points_message=manual_points.change_message(entry))
    return _section(member_or_404(customer_id), "loyalty/_panel_points.html", 422, points_form=form)


@bp.route("/members/<int:customer_id>/rewards", methods=["POST"])
@requires("loyalty.rewards")
def grant_reward(customer_id: int):
    member = member_or_404(customer_id)
    form = RewardForm(prefix="reward")
    if form.validate_on_submit():
        granted = save_form(form, rewards.grant_reward, member, form.name.data, form.validity_days.data,
                            current_user.id, kind=form.kind.data, value=form.value.data,
                            item_name=form.item_name.data, type_id=form.type_id.data)
        if granted is not None:
            return _section(member, "loyalty/_panel_rewards.html", rewards_open=True)
    return _section(member_or_404(customer_id), "loyalty/_panel_rewards.html", 422,
                    reward_form=form, rewards_open=True)


@bp.route("/members/<int:customer_id>/rewards/<int:reward_id>/claim", methods=["POST"])
@requires("loyalty.rewards")
def claim_reward(customer_id: int, reward_id: int):
    member = member_or_404(customer_id)
    _claimed, error = save(rewards.claim_reward, member, reward_id, current_user.id)
    if error is not None:
        return _section(member_or_404(customer_id), "loyalty/_panel_rewards.html", 422,
                        reward_error=str(error), rewards_open=True)
    return _section(member, "loyalty/_panel_rewards.html", rewards_open=True)


@bp.route("/members/<int:customer_id>/rewards/<int:reward_id>/delete", methods=["POST"])
@requires("loyalty.rewards")
def delete_reward(customer_id: int, reward_id: int):
    """The red X (after a confirmation): out of the history; an earned reward is revoked."""
    member = member_or_404(customer_id)
    try:
        rewards.delete_reward(member, reward_id, current_user.id)
    except LookupError:
        abort(404)
    db.session.commit()
    return _section(member, "loyalty/_panel_rewards.html", rewards_open=True)


@bp.route("/members/<int:customer_id>/remove", methods=["POST"])
@requires("loyalty.remove")
def remove_member(customer_id: int):
    """Retirer du programme: permanent, confirmed with a checkbox."""
    member = member_or_404(customer_id)
    form = RemoveForm(prefix="remove")
    if not form.validate_on_submit():
        return _section(member, "loyalty/_panel_remove.html", 422, remove_form=form)
    name = member.display_name
    enrolment.remove_from_programme(member, current_user.id)
    db.session.commit()
    flash(_("Retrait du programme de fidélité : %(name)s. La fiche reste dans le répertoire de clients.", name=name),
          "success")
    return hx_redirect(url_for(".index"))
