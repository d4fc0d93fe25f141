"""The programme's settings page: the earn rate, the redemption rate at the
till and the catalogue of reward kinds (issue 11). Thin, like routes.py."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.loyalty import bp, programme_settings, reward_types
from blueprints.loyalty.forms import RewardTypeForm, SettingsForm
from blueprints.loyalty.saving import save_form
from core.htmx import hx_redirect
from core.permissions import requires
from extensions import db
from models import ShopSettings


def _settings_form(shop: ShopSettings, bind: bool = True) -> SettingsForm:
    """The settings as they are; `bind`: read the posted form (the settings' own POST)."""
    data = {"earn_rate": _format_rate(shop.earn_rate),
            "reward_validity_days": str(shop.reward_validity_days),
            "redeem_points": str(shop.redeem_points),
            "redeem_value": _format_rate(shop.redeem_value_cents / 100)}
    return SettingsForm(data=data) if bind else SettingsForm(formdata=None, data=data)


def _page(form: SettingsForm, type_form: RewardTypeForm, status: int = 200):
    return render_template("loyalty/settings.html", form=form, type_form=type_form,
                           reward_types=reward_types.list_types(), describe=reward_types.describe,
                           shop=ShopSettings.get()), status


@bp.route("/settings", methods=["GET", "POST"])
@requires("team.manage")
def settings():
    """The shop's earn rate: the points a sale to a member earns per unit of currency."""
    shop = ShopSettings.get()
    form = _settings_form(shop)
    if form.validate_on_submit():
        saved = save_form(form, programme_settings.update_settings, form.earn_rate.data,
                          form.reward_validity_days.data, current_user.id,
                          redeem_points=form.redeem_points.data, redeem_value=form.redeem_value.data)
        if saved is not None:
            flash(_("Réglages enregistrés."), "success")
            return redirect(url_for(".settings"))
    return _page(form, RewardTypeForm(formdata=None, prefix="type"), 422 if request.method == "POST" else 200)


@bp.route("/settings/reward-types", methods=["POST"])
@requires("team.manage")
def add_reward_type():
    """A kind of reward into the catalogue: chosen later when a reward is granted."""
    type_form = RewardTypeForm(prefix="type")
    if type_form.validate_on_submit():
        created = save_form(type_form, reward_types.create_type, type_form.name.data, type_form.kind.data,
                            type_form.value.data, type_form.item_name.data, current_user.id)
        if created is not None:
            flash(_("« %(name)s » ajoutée au catalogue des récompenses.", name=created.name), "success")
            return redirect(url_for(".settings") + "#reward-types")
    return _page(_settings_form(ShopSettings.get(), bind=False), type_form, 422)


@bp.route("/settings/reward-types/<int:type_id>/delete", methods=["POST"])
@requires("team.manage")
def delete_reward_type(type_id: int):
    """Out of the catalogue; rewards already granted from it keep their kind."""
    reward_type = db.get_or_404(reward_types.RewardType, type_id)
    name = reward_type.name
    reward_types.delete_type(reward_type, current_user.id)
    db.session.commit()
    flash(_("« %(name)s » retirée du catalogue ; les récompenses déjà accordées ne changent pas.", name=name),
          "success")
    return hx_redirect(url_for(".settings") + "#reward-types")


def _format_rate(rate) -> str:
    from flask_babel import format_decimal
    return format_decimal(rate or 0, format="#,##0.##")
