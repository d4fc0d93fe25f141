"""The discount lines of a sale: the customer's default discount, an earned
one-time reward and loyalty points, worked out from the items and what the
cashier chose, the same way on the screen and at checkout.

What the cashier chose travels in the sale form (no server-side cart), as an
Adjustments; quote() turns it into lines and a total from the database's
current state. At checkout (strict) anything no longer possible is refused;
on the screen it is capped or dropped with a message. Spending the points and
the reward is done by spend() in the sale's own transaction, each with one
conditional UPDATE, so two tills can never spend the same points or reward.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select, update

from core.audit import record
from blueprints.loyalty import points as ledger
from extensions import db
from models import Customer, Reward, ShopSettings
from models.base import utcnow
from core.textkeys import fold

MAX_POINTS = 10_000_000


@dataclass
class Adjustments:
    """What the cashier asked for, as the sale form carries it. `for_customer`
    is the customer it was chosen for: another customer on the sale starts afresh."""
    for_customer: int | None = None
    points: int = 0
    reward_id: int | None = None
    customer_discount: bool = True

    @classmethod
    def from_form(cls, form, customer_id: int | None) -> "Adjustments":
        def integer(name: str) -> int | None:
            text = (form.get(name) or "").strip()
            return int(text) if text.isdigit() and len(text) <= 9 else None
        for_customer = integer("adjust_for")
        if customer_id is None or for_customer != customer_id:
            return cls(for_customer=customer_id)
        return cls(for_customer=customer_id, points=min(integer("redeem_points") or 0, MAX_POINTS),
                   reward_id=integer("reward_id") or None,
                   customer_discount=form.get("customer_discount", "1") != "0")


@dataclass
class Discount:
    kind: str  # customer / reward / points
    label: str
    cents: int
    percent: int = 0
    points: int = 0
    reward_id: int | None = None


@dataclass
class Quote:
    subtotal_cents: int
    discounts: list[Discount] = field(default_factory=list)
    total_cents: int = 0
    member: bool = False
    balance: int = 0
    rewards: list[Reward] = field(default_factory=list)  # earned, usable at the till
    max_points: int = 0   # what "use the points" applies: never more than the balance or the total
    max_points_cents: int = 0
    default_percent: int = 0
    adjustments: Adjustments = field(default_factory=Adjustments)
    errors: dict[str, str] = field(default_factory=dict)

    def discount(self, kind: str) -> Discount | None:
        return next((d for d in self.discounts if d.kind == kind), None)


class DiscountError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def apply_op(adjustments: Adjustments, op: str, points_wanted: str | None = None) -> tuple[Adjustments, dict]:
    """One tap on the screen: "points:max" (as many as the total takes and the
    balance allows, settled by quote()), "points:set" (the number typed),
    "points:0", "reward:<id>", "reward:0", "discount:on", "discount:off"."""
    kind, _sep, arg = (op or "").partition(":")
    errors: dict[str, str] = {}
    if kind == "points":
        if arg == "max":
            adjustments.points = MAX_POINTS
        elif arg == "set":
            text = (points_wanted or "").strip()
            if text.isdigit() and 0 < int(text) <= MAX_POINTS:
                adjustments.points = int(text)
            else:
                errors["redeem_points"] = _("Saisissez un nombre entier de points supérieur à zéro.")
        else:
            adjustments.points = 0
    elif kind == "reward":
        adjustments.reward_id = int(arg) if arg.isdigit() and int(arg) > 0 and len(arg) <= 9 else None
    elif kind == "discount":
        adjustments.customer_discount = arg == "on"
    return adjustments, errors


def is_adjustment(op: str) -> bool:
    return (op or "").partition(":")[0] in ("points", "reward", "discount")


# --- the programme's rate ------------------------------------------------------

def points_value_cents(points: int, settings: ShopSettings | None = None) -> int:
    """What `points` are worth at the shop's rate (redeem_points = redeem_value_cents), rounded down."""
    settings = settings or ShopSettings.get()
    per, value = settings.redeem_points or 0, settings.redeem_value_cents or 0
    if per <= 0 or value <= 0 or points <= 0:
        return 0
    return points * value // per


def points_to_cover(cents: int, settings: ShopSettings | None = None) -> int:
    """The fewest points worth at least `cents`."""
    settings = settings or ShopSettings.get()
    per, value = settings.redeem_points or 0, settings.redeem_value_cents or 0
    if per <= 0 or value <= 0 or cents <= 0:
        return 0
    return -(-cents * per // value)


def usable_rewards(customer_id: int) -> list[Reward]:
    """The customer's earned rewards that a sale can spend (a kind, not claimed, not expired)."""
    now = utcnow()
    return list(db.session.scalars(
        select(Reward).where(Reward.customer_id == customer_id, Reward.claimed_at.is_(None),
                             Reward.kind.is_not(None),
                             or_(Reward.expires_at.is_(None), Reward.expires_at >= now))
        .order_by(Reward.expires_at, Reward.id)))


def reward_cents(reward: Reward, lines, remaining: int) -> int | None:
    """What the reward takes off `remaining`; None when it cannot apply (a
    free item that is not in the sale)."""
    if reward.kind == "fixed":
        return min(max(reward.value or 0, 0), remaining)
    if reward.kind == "percent":
        return min(remaining * min(max(reward.value or 0, 0), 100) // 100, remaining)
    if reward.kind == "item":
        wanted = fold(reward.item_name or reward.name)
        prices = [line.unit_price_cents for line in lines if fold(line.name) == wanted]
        return min(max(prices), remaining) if prices else None
    return None


def reward_label(reward: Reward) -> str:
    return reward.name


# --- the quote -------------------------------------------------------------------

def quote(lines, customer: Customer | None, adjustments: Adjustments, *, may_redeem: bool,
          strict: bool = False) -> Quote:
    """The sale's discount lines and total. `may_redeem`: the employee may
    spend points and rewards (loyalty.points). `strict` (checkout): a choice
    that is no longer possible raises DiscountError instead of being dropped."""
    subtotal = sum(line.total_cents for line in lines)
    result = Quote(subtotal_cents=subtotal, total_cents=subtotal, adjustments=adjustments)
    if customer is None:
        return result
    remaining = subtotal
    errors: dict[str, str] = {}

    result.default_percent = percent = min(max(customer.default_discount or 0, 0), 100)
    if percent and adjustments.customer_discount and remaining:
        cents = remaining * percent // 100
        if cents:
            result.discounts.append(Discount("customer", _("Réduction client (%(percent)s %%)", percent=percent),
                                             cents, percent=percent))
            remaining -= cents

    result.member = bool(customer.loyalty_member)
    if result.member:
        result.balance = customer.points_balance or 0
        # At checkout only a chosen reward is read (a sale's statements stay few).
        wanted = may_redeem and (not strict or adjustments.reward_id)
        result.rewards = usable_rewards(customer.id) if wanted else []
    if adjustments.reward_id:
        reward = next((r for r in result.rewards if r.id == adjustments.reward_id), None)
        cents = reward_cents(reward, lines, remaining) if reward is not None else None
        if reward is None:
            errors["reward_id"] = _("Cette récompense n’est plus disponible (déjà utilisée, expirée ou révoquée).")
        elif cents is None:
            errors["reward_id"] = _("L’article offert (%(item)s) n’est pas dans la vente.",
                                    item=reward.item_name or reward.name)
        else:
            result.discounts.append(Discount("reward", reward_label(reward), cents, reward_id=reward.id))
            remaining -= cents

    points = adjustments.points
    settings = ShopSettings.get() if result.member and may_redeem and (points or not strict) else None
    if settings is not None:
        result.max_points = min(result.balance, points_to_cover(remaining, settings))
        result.max_points_cents = min(points_value_cents(result.max_points, settings), remaining)
    if points and (not result.member or not may_redeem):
        errors["redeem_points"] = _("Ce client n’est pas membre du programme de fidélité.")
        points = 0
    if points > result.balance:
        if strict:
            errors["redeem_points"] = ngettext_balance(result.balance)
        points = result.balance
    if points > result.max_points and not strict:
        points = result.max_points  # never more than the total: the rest stays on the balance
    if points:
        cents = min(points_value_cents(points, settings), remaining)
        if strict and points > points_to_cover(remaining, settings):
            errors["redeem_points"] = _("Ces points dépassent le total de la vente.")
        result.discounts.append(Discount("points", _("Points de fidélité"), cents, points=points))
        remaining -= cents
    result.adjustments = Adjustments(adjustments.for_customer, points,
                                     adjustments.reward_id if result.discount("reward") else None,
                                     adjustments.customer_discount)
    result.total_cents = remaining
    result.errors = errors
    if strict and errors:
        raise DiscountError(errors)
    return result


def screen_quote(lines, customer: Customer | None, form, op: str = "", *,
                 may_redeem: bool) -> tuple[Quote, dict[str, str]]:
    """The discount lines the sale screen shows, from the form's choices and
    one tap (`op`), with the messages to show beside them."""
    adjustments = Adjustments.from_form(form, customer.id if customer else None)
    errors = {}
    if customer is not None and is_adjustment(op):
        adjustments, errors = apply_op(adjustments, op, form.get("points_wanted"))
    result = quote(lines, customer, adjustments, may_redeem=may_redeem)
    errors = {**result.errors, **errors}
    if op == "points:set" and not errors and adjustments.points > result.adjustments.points:
        errors["redeem_points"] = ngettext(
            "%(num)s point utilisé : jamais plus que le solde ni que le total de la vente.",
            "%(num)s points utilisés : jamais plus que le solde ni que le total de la vente.",
            result.adjustments.points)
    return result, errors


def ngettext_balance(balance: int) -> str:
    return ngettext("Solde insuffisant : le client n’a que %(num)s point.",
                    "Solde insuffisant : le client n’a que %(num)s points.", balance)


# --- spending, inside the sale's transaction -------------------------------------

def spend(sale, result: Quote, employee_id: int | None) -> None:
    """Take the reward and the points the sale uses (the caller commits, or
    rolls the whole sale back on DiscountError)."""
    reward = result.discount("reward")
    if reward is not None:
        now = utcnow()
        taken = db.session.execute(
            update(Reward).where(Reward.id == reward.reward_id, Reward.customer_id == sale.customer_id,
                                 Reward.claimed_at.is_(None),
                                 or_(Reward.expires_at.is_(None), Reward.expires_at >= now))
            .values(claimed_at=now, sale_id=sale.id, note=None)
            .execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            raise DiscountError({"reward_id": _("Cette récompense vient d’être utilisée ailleurs : "
                                                "elle n’est plus disponible.")})
        record("reward_claimed", "customer", sale.customer_id, employee_id=employee_id,
               details={"reward_id": reward.reward_id, "sale_id": sale.id})
    points = result.discount("points")
    if points is not None and points.points:
        try:
            ledger.change_balance(sale.customer_id, -points.points, kind="spend", employee_id=employee_id,
                                  sale_id=sale.id)
        except ledger.PointsError:
            balance = db.session.scalar(select(Customer.points_balance).where(Customer.id == sale.customer_id))
            raise DiscountError({"redeem_points": ngettext_balance(balance or 0)})
        record("points_spent", "customer", sale.customer_id, count=points.points, employee_id=employee_id,
               details={"sale_id": sale.id})


# --- giving back, when the sale is refunded or voided -----------------------------

def restore_rewards(sale, employee_id: int | None) -> list[Reward]:
    """The rewards the sale spent are Obtenue again, with their original
    expiry; one whose date has passed comes back with a note saying so (it
    shows Expirée). The caller commits."""
    from core.formatting import format_date  # the shop's date style (issue 14)
    rewards = list(db.session.scalars(select(Reward).where(Reward.sale_id == sale.id)))
    now = utcnow()
    for reward in rewards:
        reward.claimed_at = None
        reward.sale_id = None
        if reward.expires_at is not None and reward.expires_at < now:
            reward.note = _("Rendue par le remboursement de la vente n° %(id)s, mais expirée depuis le %(date)s.",
                            id=sale.id, date=format_date(reward.expires_at, "short"))[:200]
        else:
            reward.note = _("Rendue par le remboursement de la vente n° %(id)s.", id=sale.id)[:200]
        record("reward_restored", "customer", sale.customer_id, employee_id=employee_id,
               details={"reward_id": reward.id, "sale_id": sale.id})
    db.session.flush()
    return rewards
