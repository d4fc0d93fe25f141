"""The catalogue of reward kinds (issue 11), kept in the loyalty settings: a
named fixed discount, percentage or free item. A reward granted from the
catalogue copies the type's kind, value and item (see grant_reward), so the
till applies it like any reward with a kind, and changing or removing a type
never alters a reward already earned.

Functions flush but never commit (the route commits once).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from core.audit import record
from blueprints.loyalty.rewards import reward_kind_values
from blueprints.loyalty.rules import LoyaltyError, clean_name
from extensions import db
from core.guards import parse_id
from models import RewardType

NAME_MAX = 120
# A catalogue is a handful of offers; beyond this it is a mistake (or a script).
TYPES_MAX = 100


def describe(reward_type) -> str:
    """What a kind takes off a sale, in words (the catalogue, the grant form)."""
    from flask_babel import format_currency

    from models import ShopSettings
    if reward_type.kind == "fixed":
        amount = format_currency((reward_type.value or 0) / 100, ShopSettings.get().currency)
        return _("%(amount)s de réduction", amount=amount)
    if reward_type.kind == "percent":
        return _("%(percent)s %% de réduction", percent=reward_type.value or 0)
    return _("Article offert : %(item)s", item=reward_type.item_name or reward_type.name)


def list_types() -> list[RewardType]:
    return list(db.session.scalars(select(RewardType).order_by(RewardType.name, RewardType.id)))


def get_type(raw_id) -> RewardType | None:
    type_id = parse_id(raw_id)
    return db.session.get(RewardType, type_id) if type_id is not None else None


def _find_by_name(name: str) -> RewardType | None:
    """Names are unique ignoring case; the catalogue is small, so compare in
    Python (SQLite's lower() knows ASCII only)."""
    wanted = name.casefold()
    return next((t for t in list_types() if t.name.casefold() == wanted), None)


def create_type(name: str, kind: str, value: str | None, item_name: str | None,
                employee_id: int | None) -> RewardType:
    name = clean_name(name)
    if not name:
        raise LoyaltyError(_("Saisissez le nom de la récompense."), "name")
    if len(name) > NAME_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=NAME_MAX), "name")
    if not (kind or "").strip():
        # A catalogue entry is for the till: "claimed in the panel only" needs no type.
        raise LoyaltyError(_("Choisissez le type de récompense."), "kind")
    kind, amount, item = reward_kind_values(kind, value, item_name)
    if _find_by_name(name) is not None:
        raise LoyaltyError(_("Une récompense « %(name)s » existe déjà dans le catalogue.", name=name), "name")
    if len(list_types()) >= TYPES_MAX:
        raise LoyaltyError(ngettext("Le catalogue compte déjà %(num)s récompense : supprimez-la d’abord.",
                                    "Le catalogue compte déjà %(num)s récompenses : supprimez-en une d’abord.",
                                    TYPES_MAX))
    reward_type = RewardType(name=name, kind=kind, value=amount, item_name=item)
    db.session.add(reward_type)
    db.session.flush()
    _audit("added", reward_type.id, employee_id)
    return reward_type


def delete_type(reward_type: RewardType, employee_id: int | None) -> None:
    """Out of the catalogue; rewards already granted from it keep their kind."""
    type_id = reward_type.id
    db.session.delete(reward_type)
    db.session.flush()
    _audit("deleted", type_id, employee_id)


def _audit(change: str, type_id: int, employee_id: int | None) -> None:
    """A change of the settings, as the audit page already names it."""
    record("settings_changed", "settings", 1, employee_id=employee_id,
           details={"fields": ["reward_types"], "reward_type": change, "reward_type_id": type_id})
