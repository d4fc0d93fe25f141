"""Joining and leaving the programme (seed 003): "Ajouter le client", where
the email becomes the username and an existing directory customer is enrolled
rather than duplicated; and "Retirer du programme", permanent."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select

from blueprints.customers.service import create_customer
from blueprints.loyalty import points as ledger
from blueprints.loyalty.rules import NAME_MAX, LoyaltyError, clean_name, names_of
from core.audit import record
from core.phones import normalise
from extensions import db
from models import Customer, Phone, Reward, ShopSettings
from models.base import utcnow


@dataclass
class Enrolment:
    customer: Customer
    created: bool          # a new directory customer was made
    already_member: bool   # nothing changed: they were enrolled already


def valid_email(email: str) -> bool:
    # The shape a username needs: one @, a dot in the domain, no spaces.
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", email)) and len(email) <= 254


def enrol_customer(*, email: str, phone: str | None, first_name: str, last_name: str,
                   employee_id: int | None) -> Enrolment:
    """Seed 003: the email becomes the username. Where the email or the phone
    already belongs to a directory customer, that customer is enrolled instead
    of a duplicate being made; two different customers matching is refused."""
    email = (email or "").strip()
    first_name, last_name = clean_name(first_name), clean_name(last_name)
    if not email:
        raise LoyaltyError(_("Saisissez l’adresse courriel du client."), "email")
    if not valid_email(email):
        raise LoyaltyError(_("Cette adresse courriel n’est pas valide."), "email")
    if not first_name:
        raise LoyaltyError(_("Saisissez le prénom."), "first_name")
    if not last_name:
        raise LoyaltyError(_("Saisissez le nom."), "last_name")
    if len(first_name) > NAME_MAX or len(last_name) > NAME_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=NAME_MAX),
                           "first_name" if len(first_name) > NAME_MAX else "last_name")
    region = ShopSettings.get().phone_region
    phone = (phone or "").strip()
    e164 = None
    if phone:
        e164 = normalise(phone, region)
        if not e164:
            raise LoyaltyError(_("Ce numéro de téléphone n’est pas valide."), "phone")

    by_email = db.session.scalars(select(Customer).where(
        Customer.email_key == email.lower(), Customer.anonymised == False)).all()  # noqa: E712
    by_phone = []
    if e164:
        by_phone = db.session.scalars(
            select(Customer).join(Phone, Phone.customer_id == Customer.id)
            .where(Phone.e164 == e164, Phone.linked == True, Customer.anonymised == False)  # noqa: E712
            .distinct()).all()
    if len(by_email) > 1:
        raise LoyaltyError(_("Cette adresse courriel appartient à %(num)s clients (%(names)s) : "
                             "fusionnez-les dans le répertoire avant de l’inscrire.",
                             num=len(by_email), names=names_of(by_email)), "email")
    if len(by_phone) > 1:
        raise LoyaltyError(_("Ce numéro appartient à %(num)s clients (%(names)s) : "
                             "fusionnez-les dans le répertoire avant de l’inscrire.",
                             num=len(by_phone), names=names_of(by_phone)), "phone")
    if by_email and by_phone and by_email[0].id != by_phone[0].id:
        raise LoyaltyError(_("L’adresse courriel appartient à %(first)s et le numéro à %(second)s : "
                             "deux clients différents. Vérifiez la saisie.",
                             first=by_email[0].display_name, second=by_phone[0].display_name), "email")
    existing = (by_email or by_phone or [None])[0]
    if existing is not None:
        if existing.archived:
            raise LoyaltyError(_("Ce client (%(name)s) est archivé : désarchivez-le dans le répertoire "
                                 "avant de l’inscrire.", name=existing.display_name),
                               "email" if by_email else "phone")
        if existing.loyalty_member:
            return Enrolment(existing, created=False, already_member=True)
        existing.loyalty_member = True
        existing.loyalty_enrolled_at = utcnow()
        db.session.flush()
        record("loyalty_enrolled", "customer", existing.id, employee_id=employee_id,
               details={"matched_by": "email" if by_email else "phone"})
        return Enrolment(existing, created=False, already_member=False)

    customer = create_customer(first_name=first_name, last_name=last_name, email=email,
                               phones=[phone] if phone else [], origin="loyalty",
                               loyalty_member=True, loyalty_enrolled_at=utcnow())
    record("customer_created", "customer", customer.id, employee_id=employee_id,
           details={"origin": "loyalty"})
    record("loyalty_enrolled", "customer", customer.id, employee_id=employee_id)
    return Enrolment(customer, created=True, already_member=False)


def remove_from_programme(customer: Customer, employee_id: int | None) -> int:
    """Seed 003: permanent. Membership, balance (a "removal" ledger row brings
    it to zero, in the same statement that ends the membership) and rewards
    end; the customer stays in the directory. Returns the points removed."""
    removed = ledger.clear_balance(customer.id, kind="removal", employee_id=employee_id,
                                   values={"loyalty_member": False, "loyalty_enrolled_at": None})
    rewards = db.session.execute(delete(Reward).where(Reward.customer_id == customer.id)).rowcount
    db.session.flush()
    record("loyalty_removed", "customer", customer.id, employee_id=employee_id,
           details={"points": removed, "rewards": rewards})
    return removed
