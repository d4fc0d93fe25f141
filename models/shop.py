from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class ShopSettings(db.Model):
    """One row (id 1): the shop's name and the defaults every rule reads."""
    __tablename__ = "shop_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="Comptoir")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    phone_region: Mapped[str] = mapped_column(String(2), default="FR")
    # Points earned per whole unit of currency spent by a loyalty member.
    earn_rate: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("1"))
    # Days an earned one-time reward can be claimed.
    reward_validity_days: Mapped[int] = mapped_column(default=90)
    # Redemption at the till: redeem_points points are worth redeem_value_cents.
    redeem_points: Mapped[int] = mapped_column(default=100, server_default="100")
    redeem_value_cents: Mapped[int] = mapped_column(default=500, server_default="500")
    # Retention (issue 15): customers with no activity for this many years are
    # anonymised by the periodic job (blueprints/customers/anonymising.py), once
    # the owner has confirmed it after seeing how many would go. starts_on: the
    # first run, at least a month after the confirmation (the notice comes first).
    retention_years: Mapped[int] = mapped_column(default=3, server_default="3")
    retention_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    retention_confirmed_at: Mapped[datetime | None]
    retention_confirmed_by: Mapped[int | None]
    retention_starts_on: Mapped[date | None]

    @classmethod
    def get(cls) -> "ShopSettings":
        """The row, read once per session rather than once per question: the
        identity map holds objects weakly, so a page asking twice (the phone
        region, then the currency) read the row twice. A commit or a
        rollback still expires it, as any object of the session."""
        held = db.session.info.get("shop_settings")
        if held is not None and held in db.session:
            return held
        settings = db.session.get(cls, 1)
        if settings is None:
            settings = cls(id=1, name="Comptoir", currency="EUR", phone_region="FR",
                           earn_rate=Decimal("1"), reward_validity_days=90,
                           redeem_points=100, redeem_value_cents=500)
            db.session.add(settings)
            db.session.flush()
        db.session.info["shop_settings"] = settings
        return settings


class Location(db.Model):
    """A point of sale of the shop."""
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
