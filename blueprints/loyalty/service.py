"""The rules of the loyalty programme (seed 003): who is a member, adding a
customer, names, phones, groups, one-time rewards, points by username and
removal from the programme.

Functions take plain arguments and the database session; they flush but never
commit (the route commits once, or rolls back on an error). The points
themselves move in points.py, whose conditional UPDATE never double-spends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.audit import record
from blueprints.customers.search_terms import term_condition
from blueprints.customers.service import create_customer, find_by_username
from blueprints.loyalty import points as ledger
from extensions import db
from core.guards import parse_id, parse_page
from models import Customer, Group, Phone, PointsEntry, Reward, ShopSettings, customer_groups
from models.base import utcnow
from core.pagination import COUNT_CAP, Page, capped_count
from core.phones import normalise

NAME_MAX = 100
GROUP_NAME_MAX = 80
REASON_MAX = 200
POINTS_MAX = 1_000_000
SORTS = {
    "-points": (Customer.points_balance.desc(), Customer.id.desc()),
    "points": (Customer.points_balance.asc(), Customer.id.asc()),
}
_SPACES = re.compile(r"\s+")


class LoyaltyError(ValueError):
    """A rule refused the change; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the members list ---------------------------------------------------------

@dataclass
class MemberQuery:
    """What the members list asks for; it round-trips through the URL."""
    q: str = ""
    group: int | None = None
    sort: str = "-points"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "MemberQuery":
        sort = args.get("sort") or "-points"
        return cls(q=(args.get("q") or "").strip()[:100], group=parse_id(args.get("group")),
                   sort=sort if sort in SORTS else "-points", page=parse_page(args.get("page")))

    def to_args(self, **overrides) -> dict:
        args = {"q": self.q or None, "group": self.group,
                "sort": self.sort if self.sort != "-points" else None,
                "page": self.page if self.page > 1 else None}
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "")}


def member_select(employee, query: MemberQuery, phone_region: str = "FR"):
    """Enrolled customers (zero points too), filtered and sorted by points.

    `loyalty_member = true` as an equality, then points and id: the order of
    ix_customers_loyalty_points, so a page is read from the index.
    """
    stmt = select(Customer).where(Customer.loyalty_member == True,  # noqa: E712 (index equality)
                                  Customer.anonymised == False,  # noqa: E712
                                  Customer.archived == False)  # noqa: E712
    if query.group:
        stmt = stmt.where(Customer.id.in_(
            select(customer_groups.c.customer_id).where(customer_groups.c.group_id == query.group)))
    condition = term_condition(employee, query.q, phone_region)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.order_by(*SORTS[query.sort])


def list_members(employee, query: MemberQuery, per_page: int, phone_region: str = "FR") -> Page:
    """One page of members. Paging fetches one row more than the page to know
    whether a next page exists; the total is exact up to COUNT_CAP and shown
    as "more than" beyond, so the first page at a million members stays a read
    of 51 index entries plus a bounded count."""
    stmt = member_select(employee, query, phone_region)
    offset = (query.page - 1) * per_page
    rows = list(db.session.scalars(
        stmt.options(selectinload(Customer.phones), selectinload(Customer.groups))
        .limit(per_page + 1).offset(offset)))
    if not rows and query.page > 1:
        # A page past the end (members removed meanwhile): show the first.
        query.page = 1
        return list_members(employee, query, per_page, phone_region)
    total, capped = capped_count(stmt.with_only_columns(Customer.id), COUNT_CAP)
    return Page(items=rows[:per_page], page=query.page, per_page=per_page, total=total, total_is_capped=capped,
                more=len(rows) > per_page)


def get_member(customer_id: int) -> Customer | None:
    """An enrolled customer with phones and groups, or None (the route 404s)."""
    return db.session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.loyalty_member == True,  # noqa: E712
                               Customer.anonymised == False)  # noqa: E712
        .options(selectinload(Customer.phones), selectinload(Customer.groups)))


def recent_entries(customer_id: int, limit: int = 10) -> list[PointsEntry]:
    return list(db.session.scalars(
        select(PointsEntry).where(PointsEntry.customer_id == customer_id)
        .order_by(PointsEntry.id.desc()).limit(limit)
        .options(selectinload(PointsEntry.employee))))


def rewards_of(customer_id: int) -> list[Reward]:
    return list(db.session.scalars(
        select(Reward).where(Reward.customer_id == customer_id)
        .order_by(Reward.earned_at.desc(), Reward.id.desc())))


# --- Ajouter le client ----------------------------------------------------------

@dataclass
class Enrolment:
    customer: Customer
    created: bool          # a new directory customer was made
    already_member: bool   # nothing changed: they were enrolled already


def _clean_name(value: str | None) -> str:
    return _SPACES.sub(" ", (value or "").strip())


def valid_email(email: str) -> bool:
    # The shape a username needs: one @, a dot in the domain, no spaces.
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", email)) and len(email) <= 254


def _names(customers) -> str:
    return ", ".join(customer.display_name for customer in customers)


def enrol_customer(*, email: str, phone: str | None, first_name: str, last_name: str,
                   employee_id: int | None) -> Enrolment:
    """Seed 003: the email becomes the username. Where the email or the phone
    already belongs to a directory customer, that customer is enrolled instead
    of a duplicate being made; two different customers matching is refused."""
    email = (email or "").strip()
    first_name, last_name = _clean_name(first_name), _clean_name(last_name)
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
                             num=len(by_email), names=_names(by_email)), "email")
    if len(by_phone) > 1:
        raise LoyaltyError(_("Ce numéro appartient à %(num)s clients (%(names)s) : "
                             "fusionnez-les dans le répertoire avant de l’inscrire.",
                             num=len(by_phone), names=_names(by_phone)), "phone")
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


# --- names, phones ----------------------------------------------------------------

NAME_PARTS = {"first": "first_name", "last": "last_name"}


def rename(customer: Customer, part: str, value: str, employee_id: int | None) -> bool:
    """Change a first or last name (double-click in the list). Returns whether
    anything changed; an unchanged value writes nothing."""
    attribute = NAME_PARTS[part]
    value = _clean_name(value)
    if not value:
        raise LoyaltyError(_("Saisissez le prénom.") if part == "first" else _("Saisissez le nom."), "value")
    if len(value) > NAME_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=NAME_MAX), "value")
    if getattr(customer, attribute) == value:
        return False
    setattr(customer, attribute, value)
    customer.refresh_keys()
    db.session.flush()
    record("customer_updated", "customer", customer.id, employee_id=employee_id,
           details={"fields": [attribute], "via": "loyalty"})
    return True


def username_after_unlink(customer: Customer, phone_id: int) -> str:
    """What the member's username would be without this number: "phone"
    (another linked number remains), "email" (only the address remains) or
    "none" (no username at all: refused)."""
    if any(p.linked and p.id != phone_id for p in customer.phones):
        return "phone"
    return "email" if customer.email else "none"


def unlink_phone(customer: Customer, phone_id: int, employee_id: int | None) -> Phone:
    """Seed 003: an old number is unlinked. It stays in the history but no
    longer finds the customer as a username or in a search. The member's only
    number is unlinked only when an email address remains as their username."""
    phone = next((p for p in customer.phones if p.id == phone_id), None)
    if phone is None:
        raise LookupError(phone_id)
    if phone.linked and customer.loyalty_member and username_after_unlink(customer, phone_id) == "none":
        raise LoyaltyError(_("Ce numéro est le seul nom d’utilisateur de ce membre : sans adresse courriel, "
                             "il ne pourrait plus être retrouvé. Ajoutez d’abord une adresse courriel ou "
                             "un autre numéro."), "phone")
    if phone.linked:
        phone.linked = False
        phone.unlinked_at = utcnow()
        db.session.flush()
        record("phone_unlinked", "customer", customer.id, employee_id=employee_id,
               details={"phone_id": phone.id})
    return phone


# --- groups -------------------------------------------------------------------

def _clean_group_name(name: str | None) -> str:
    name = _clean_name(name)
    if not name:
        raise LoyaltyError(_("Saisissez le nom du groupe."), "name")
    if len(name) > GROUP_NAME_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=GROUP_NAME_MAX), "name")
    return name


def find_group(name: str) -> Group | None:
    """A group by name, ignoring case ("vip" finds "VIP", "élite" finds "Élite").
    A shop has tens of groups, not thousands: comparing in Python is exact on
    both databases (SQLite's lower() knows ASCII only)."""
    exact = db.session.scalar(select(Group).where(Group.name == name))
    if exact is not None:
        return exact
    wanted = name.casefold()
    return next((group for group in db.session.scalars(select(Group))
                 if group.name.casefold() == wanted), None)


def suggest_groups(term: str, limit: int = 10) -> list[Group]:
    from core.textkeys import fold
    term = fold(term)
    groups = db.session.scalars(select(Group).order_by(Group.name)).all()
    if not term:
        return list(groups[:limit])
    return [group for group in groups if term in fold(group.name)][:limit]


def create_group(name: str, employee_id: int | None) -> Group:
    name = _clean_group_name(name)
    if find_group(name) is not None:
        raise LoyaltyError(_("Un groupe porte déjà ce nom."), "name")
    group = Group(name=name)
    try:
        with db.session.begin_nested():
            db.session.add(group)
    except IntegrityError:
        raise LoyaltyError(_("Un groupe porte déjà ce nom."), "name")
    record("group_created", "group", group.id, employee_id=employee_id)
    return group


def rename_group(group: Group, name: str, employee_id: int | None) -> Group:
    name = _clean_group_name(name)
    other = find_group(name)
    if other is not None and other.id != group.id:
        raise LoyaltyError(_("Un groupe porte déjà ce nom."), "name")
    if group.name != name:
        group.name = name
        db.session.flush()
        record("group_renamed", "group", group.id, employee_id=employee_id)
    return group


def group_member_count(group_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(customer_groups)
                             .where(customer_groups.c.group_id == group_id))


def delete_group(group: Group, employee_id: int | None) -> int:
    """Delete a group; returns how many customers it was taken from."""
    count = group_member_count(group.id)
    db.session.execute(delete(customer_groups).where(customer_groups.c.group_id == group.id))
    db.session.delete(group)
    db.session.flush()
    record("group_deleted", "group", group.id, count=count, employee_id=employee_id)
    return count


def groups_with_counts() -> list[tuple[Group, int]]:
    counts = (select(customer_groups.c.group_id, func.count().label("n"))
              .group_by(customer_groups.c.group_id).subquery())
    rows = db.session.execute(select(Group, func.coalesce(counts.c.n, 0))
                              .outerjoin(counts, counts.c.group_id == Group.id)
                              .order_by(Group.name))
    return [(group, count) for group, count in rows]


def add_to_group(customer: Customer, name: str, employee_id: int | None) -> tuple[Group, bool]:
    """The tag editor: Enter on a name adds the customer to that group,
    creating the group when none has this name. Returns (group, created)."""
    name = _clean_group_name(name)
    group = find_group(name)
    created = group is None
    if created:
        group = create_group(name, employee_id)
    if all(g.id != group.id for g in customer.groups):
        customer.groups.append(group)
        db.session.flush()
        record("group_member_added", "customer", customer.id, employee_id=employee_id,
               details={"group_id": group.id})
    return group, created


def remove_from_group(customer: Customer, group_id: int, employee_id: int | None) -> None:
    group = next((g for g in customer.groups if g.id == group_id), None)
    if group is None:
        return
    customer.groups.remove(group)
    db.session.flush()
    record("group_member_removed", "customer", customer.id, employee_id=employee_id,
           details={"group_id": group_id})


def group_customers(group_id: int, page: int, per_page: int):
    from core.pagination import paginate
    stmt = (select(Customer).join(customer_groups, customer_groups.c.customer_id == Customer.id)
            .where(customer_groups.c.group_id == group_id, Customer.anonymised == False)  # noqa: E712
            .order_by(Customer.sort_name, Customer.id))
    return paginate(stmt, page, per_page)


# --- points by username -------------------------------------------------------------

def parse_points(raw) -> int:
    """A whole positive number of points, from a form ("50", " 50 ")."""
    text = str(raw if raw is not None else "").strip()
    if not re.fullmatch(r"\d{1,7}", text) or int(text) <= 0 or int(text) > POINTS_MAX:
        raise LoyaltyError(_("Saisissez un nombre entier de points supérieur à zéro."), "points")
    return int(text)


def _clean_reason(reason: str | None) -> str | None:
    reason = _clean_name(reason)
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
            len(members), names=_names(members)), "username")
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


# --- one-time rewards ------------------------------------------------------------------

def _reward_of(customer: Customer, reward_id: int) -> Reward:
    reward = db.session.scalar(select(Reward).where(Reward.id == reward_id, Reward.customer_id == customer.id))
    if reward is None:
        raise LookupError(reward_id)
    return reward


def reward_kind_values(kind: str | None, value: str | None, item_name: str | None) -> tuple[str | None, int | None, str | None]:
    """What a reward takes off a sale: none (claimed in the panel only), a fixed
    amount ("5" or "5,50" in the shop's currency), a percentage (1 to 100) or a
    free item (its name, as sold)."""
    from blueprints.sales.lines import parse_money
    from models.loyalty import REWARD_KINDS
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
    item = _clean_name(item_name)
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
        from models import RewardType
        reward_type = db.session.get(RewardType, parse_id(type_id) or 0)
        if reward_type is None:
            raise LoyaltyError(_("Cette récompense n’est plus au catalogue : choisissez-en une autre."), "type_id")
    name = _clean_name(name) or (reward_type.name if reward_type is not None else "")
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


# --- Retirer du programme -------------------------------------------------------------------

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


# --- settings -----------------------------------------------------------------------------------

def update_settings(earn_rate: str, reward_validity_days: str, employee_id: int | None,
                    redeem_points: str | None = None, redeem_value: str | None = None) -> ShopSettings:
    """The shop's earn rate (points per whole unit of currency), how long
    an earned reward can be claimed, and the redemption rate at the till
    (redeem_points points are worth redeem_value; None leaves it as it is)."""
    from blueprints.sales.lines import parse_money
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
