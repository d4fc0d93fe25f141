"""One-time rewards in a member's panel: granted (a kind typed there, or one
of the catalogue's, reward_types.py), claimed at the counter, or removed from
the history (an earned one is thereby revoked); and what a reward takes off a
sale, checked for both the panel and the catalogue."""
from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from blueprints.loyalty.rules import LoyaltyError, clean_name
from blueprints.sales.lines import parse_money
from core.audit import record
from core.guards import parse_id
from extensions import db
from models import Customer, Reward, RewardType, ShopSettings
from models.base import utcnow
from models.loyalty import REWARD_KINDS


def rewards_of(customer_id: int) -> list[Reward]:
    return list(db.session.scalars(
        select(Reward).where(Reward.customer_id == customer_id)
        .order_by(Reward.earned_at.desc(), Reward.id.desc())))


def _reward_of(customer: Customer, reward_id: int) -> Reward:
    reward = db.session.scalar(select(Reward).where(Reward.id == reward_id, Reward.customer_id == customer.id))
    if reward is None:
        raise LookupError(reward_id)
    return reward


def reward_kind_values(kind: str | None, value: str | None, item_name: str | None) -> tuple[str | None, int | None, str | None]:
    """What a reward takes off a sale: none (claimed in the panel only), a fixed
    amount ("5" or "5,50" in the shop's currency), a percentage (1 to 100) or a
    free item (its name, as sold)."""
    kind = (kind or "").strip() or None
    if kind is None:
        return None, None, None
    if kind not in REWARD_KINDS:
        raise LoyaltyError(_("Choisissez le type de récompense."), "kind")
    if kind == "fixed":
        cents = parse_money(value)
        if not cents:
            raise LoyaltyError(_("Saisissez un montant, par exemple 5 ou 4,50."), "value")
        return kind, cents, None
    if kind == "percent":
        text = (value or "").strip().rstrip("%").strip()
        if not text.isdigit() or not 1 <= int(text) <= 100:
            raise LoyaltyError(_("Un pourcentage entier entre 1 et 100."), "value")
        return kind, int(text), None
    item = clean_name(item_name)
    if not item:
        raise LoyaltyError(_("Saisissez l’article offert, tel qu’il est vendu."), "item_name")
    if len(item) > 120:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=120), "item_name")
    return kind, None, item


def grant_reward(customer: Customer, name: str, validity_days, employee_id: int | None,
                 kind: str | None = None, value: str | None = None, item_name: str | None = None,
                 type_id=None) -> Reward:
    """`type_id`: a kind of the settings' catalogue, whose kind, value and item
    the reward takes (its name too when none is typed); else the kind typed here."""
    reward_type = None
    if str(type_id or "").strip():
        reward_type = db.session.get(RewardType, parse_id(type_id) or 0)
        if reward_type is None:
            raise LoyaltyError(_("Cette récompense n’est plus au catalogue : choisissez-en une autre."), "type_id")
    name = clean_name(name) or (reward_type.name if reward_type is not None else "")
    if not name:
        raise LoyaltyError(_("Saisissez le nom de la récompense."), "name")
    if len(name) > 120:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=120), "name")
    if reward_type is not None:
        kind, amount, item = reward_type.kind, reward_type.value, reward_type.item_name
    else:
        kind, amount, item = reward_kind_values(kind, value, item_name)
    text = str(validity_days if validity_days is not None else "").strip()
    if text == "":
        days = ShopSettings.get().reward_validity_days
    elif re.fullmatch(r"\d{1,4}", text) and 1 <= int(text) <= 3650:
        days = int(text)
    else:
        raise LoyaltyError(_("Entre 1 et 3650 jours."), "validity_days")
    now = utcnow()
    reward = Reward(customer_id=customer.id, name=name, earned_at=now, expires_at=now + timedelta(days=days),
                    kind=kind, value=amount, item_name=item)
    db.session.add(reward)
    db.session.flush()
    record("reward_granted", "customer", customer.id, employee_id=employee_id,
           details={"reward_id": reward.id})
    return reward


def claim_reward(customer: Customer, reward_id: int, employee_id: int | None) -> Reward:
    """The customer takes an earned reward at the counter."""
    reward = _reward_of(customer, reward_id)
    status = reward.status()
    if status == "claimed":
        raise LoyaltyError(_("Cette récompense a déjà été réclamée."))
    if status == "expired":
        raise LoyaltyError(_("Cette récompense a expiré : elle ne peut plus être réclamée."))
    reward.claimed_at = utcnow()
    db.session.flush()
    record("reward_claimed", "customer", customer.id, employee_id=employee_id,
           details={"reward_id": reward.id})
    return reward


def delete_reward(customer: Customer, reward_id: int, employee_id: int | None) -> str:
    """The red X: the reward leaves the history; an earned one is thereby revoked.
    Returns the status it had."""
    reward = _reward_of(customer, reward_id)
    status = reward.status()
    db.session.delete(reward)
    db.session.flush()
    record("reward_revoked" if status == "earned" else "reward_deleted", "customer", customer.id,
           employee_id=employee_id, details={"reward_id": reward_id, "status": status})
    return status
