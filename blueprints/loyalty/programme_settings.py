"""The programme's settings (the settings page): the earn rate, how long an
earned reward can be claimed, and the redemption rate at the till."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from blueprints.loyalty.rules import LoyaltyError
from blueprints.sales.lines import parse_money
from core.audit import record
from extensions import db
from models import ShopSettings


def update_settings(earn_rate: str, reward_validity_days: str, employee_id: int | None,
                    redeem_points: str | None = None, redeem_value: str | None = None) -> ShopSettings:
    """The shop's earn rate (points per whole unit of currency), how long
    an earned reward can be claimed, and the redemption rate at the till
    (redeem_points points are worth redeem_value; None leaves it as it is)."""
    redeem = None
    if redeem_points is not None or redeem_value is not None:
        points_text = (redeem_points or "").strip()
        if not re.fullmatch(r"\d{1,6}", points_text) or int(points_text) <= 0:
            raise LoyaltyError(_("Un nombre entier de points supérieur à zéro."), "redeem_points")
        cents = parse_money(redeem_value)
        if cents is None or cents > 100_000_00:
            raise LoyaltyError(_("Saisissez un montant, par exemple 5 ou 4,50 (0 : les points ne s’utilisent pas en caisse)."),
                               "redeem_value")
        redeem = (int(points_text), cents)
    text = re.sub(r"\s", "", earn_rate or "").replace(",", ".")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate < 0 or rate > 1000 or rate != rate.quantize(Decimal("0.01")):
        raise LoyaltyError(_("Saisissez un nombre entre 0 et 1000, avec deux décimales au plus."), "earn_rate")
    days_text = (reward_validity_days or "").strip()
    if not re.fullmatch(r"\d{1,4}", days_text) or not 1 <= int(days_text) <= 3650:
        raise LoyaltyError(_("Entre 1 et 3650 jours."), "reward_validity_days")
    settings = ShopSettings.get()
    changed = []
    if Decimal(settings.earn_rate) != rate:
        settings.earn_rate = rate.quantize(Decimal("0.01"))
        changed.append("earn_rate")
    if settings.reward_validity_days != int(days_text):
        settings.reward_validity_days = int(days_text)
        changed.append("reward_validity_days")
    if redeem is not None and (settings.redeem_points, settings.redeem_value_cents) != redeem:
        settings.redeem_points, settings.redeem_value_cents = redeem
        changed.append("redemption_rate")
    db.session.flush()
    if changed:
        record("settings_changed", "settings", settings.id, employee_id=employee_id,
               details={"fields": changed})
    return settings
