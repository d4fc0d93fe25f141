"""Points an employee adds or redeems by hand: in a member's panel, or on the
"Ajouter des points" / "Utiliser des points" pages by username (seed 003).
What was typed is checked here; the balance moves in points.py, whose
conditional UPDATE never double-spends."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from blueprints.customers.service import find_by_username
from blueprints.loyalty import points as ledger
from blueprints.loyalty.rules import LoyaltyError, clean_name, names_of
from core.phones import normalise
from extensions import db
from models import Customer, PointsEntry, ShopSettings

REASON_MAX = 200
POINTS_MAX = 1_000_000


def parse_points(raw) -> int:
    """A whole positive number of points, from a form ("50", " 50 ")."""
    text = str(raw if raw is not None else "").strip()
    if not re.fullmatch(r"\d{1,7}", text) or int(text) <= 0 or int(text) > POINTS_MAX:
        raise LoyaltyError(_("Saisissez un nombre entier de points supérieur à zéro."), "points")
    return int(text)


def _clean_reason(reason: str | None) -> str | None:
    reason = clean_name(reason)
    if len(reason) > REASON_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=REASON_MAX), "reason")
    return reason or None


def resolve_username(username: str) -> Customer:
    """The member an email or a phone number (any format) names.

    Refused, with a message that says why: nobody, a customer who is not a
    member, an archived one, or several members (the ambiguity is named).
    """
    username = (username or "").strip()
    if not username:
        raise LoyaltyError(_("Saisissez l’adresse courriel ou le numéro de téléphone du client."), "username")
    if "@" not in username and not normalise(username, ShopSettings.get().phone_region):
        raise LoyaltyError(_("Saisissez une adresse courriel ou un numéro de téléphone valide."), "username")
    matches = find_by_username(username)
    members = [c for c in matches if c.loyalty_member and not c.archived]
    if len(members) == 1:
        return members[0]
    if len(members) > 1:
        raise LoyaltyError(ngettext(
            "Ce nom d’utilisateur correspond à %(num)s membre : %(names)s.",
            "Ce nom d’utilisateur correspond à %(num)s membres : %(names)s. Utilisez l’autre "
            "identifiant (courriel ou téléphone) ou fusionnez les doublons.",
            len(members), names=names_of(members)), "username")
    if any(not c.archived for c in matches):
        raise LoyaltyError(_("Ce client n’est pas membre du programme de fidélité."), "username")
    if matches:
        raise LoyaltyError(_("Ce client est archivé."), "username")
    raise LoyaltyError(_("Aucun membre n’a ce nom d’utilisateur."), "username")


def add_points(customer: Customer, raw_points, reason: str | None, employee_id: int | None) -> PointsEntry:
    points = parse_points(raw_points)
    return ledger.add_points(customer.id, points, employee_id=employee_id, reason=_clean_reason(reason))


def redeem_points(customer: Customer, raw_points, reason: str | None, employee_id: int | None) -> PointsEntry:
    """Seed 003: the balance drops at once and no reward is granted. More than
    the balance is refused with the balance in the message."""
    points = parse_points(raw_points)
    reason = _clean_reason(reason)
    try:
        return ledger.redeem_points(customer.id, points, employee_id=employee_id, reason=reason)
    except ledger.PointsError:
        balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == customer.id))
        raise LoyaltyError(ngettext(
            "Solde insuffisant : %(name)s n’a que %(num)s point.",
            "Solde insuffisant : %(name)s n’a que %(num)s points.",
            balance or 0, name=customer.display_name), "points")


def change_points_by_username(action: str, username: str, raw_points, reason: str | None,
                              employee_id: int | None) -> tuple[Customer, PointsEntry]:
    # Check the amount first: a bad number is reported even with a bad username.
    parse_points(raw_points)
    customer = resolve_username(username)
    change = add_points if action == "add" else redeem_points
    return customer, change(customer, raw_points, reason, employee_id)


def change_message(entry: PointsEntry) -> str:
    """What a change did, as the panel and the points pages confirm it."""
    if entry.delta > 0:
        return ngettext("%(num)s point ajouté.", "%(num)s points ajoutés.", entry.delta)
    return ngettext("%(num)s point utilisé.", "%(num)s points utilisés.", -entry.delta)
