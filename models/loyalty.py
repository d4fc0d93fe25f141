from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow

# Why a ledger row exists.
# "spend": points used inside a sale; "return": points a refunded sale gives back;
# "unrecovered": a zero row noting earned points a refund could not take back.
ENTRY_KINDS = ("add", "redeem", "earn", "refund", "merge", "removal", "spend", "return", "unrecovered")
# What a one-time reward takes off a sale: a fixed amount (value in cents), a
# percentage (value in percent) or one item free (item_name). None: a reward
# only claimed in the loyalty panel (rewards granted before kinds existed).
REWARD_KINDS = ("fixed", "percent", "item")


class RewardTerms:
    """A reward's name and what it takes off a sale (REWARD_KINDS). The
    catalogue's RewardType and the Reward granted from it share these columns:
    granting copies them, so a change to the catalogue never alters a reward
    already earned."""
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str | None] = mapped_column(String(10))
    value: Mapped[int | None]
    item_name: Mapped[str | None] = mapped_column(String(120))


class RewardType(RewardTerms, db.Model):
    """The shop's catalogue of reward kinds (loyalty settings): a named fixed
    discount, percentage or free item."""
    __tablename__ = "reward_types"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The catalogue is for the till: an entry always takes something off.
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsEntry(db.Model):
    """One change of a member's points. The cached Customer.points_balance is
    always the sum of these rows for that customer."""
    __tablename__ = "points_entries"
    __table_args__ = (Index("ix_points_entries_customer", "customer_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    delta: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(200))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee = relationship("Employee")


class Reward(RewardTerms, db.Model):
    """A one-time reward: Obtenue (earned), Réclamée (claimed) or Expirée (expired)."""
    __tablename__ = "rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    earned_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    # The sale that spent it (a refund gives it back) and what happened then.
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id", name="fk_rewards_sale_id",
                                                           ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(200))

    def status(self, now: datetime | None = None) -> str:
        if self.claimed_at is not None:
            return "claimed"
        if self.expires_at is not None and self.expires_at < (now or utcnow()):
            return "expired"
        return "earned"
