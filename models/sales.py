from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow

PAYMENT_METHODS = ("cash", "card", "invoice")
CARD_BRANDS = ("visa", "mastercard", "amex", "cb", "other")
SALE_STATUSES = ("completed", "refunded", "voided")
# How the sale's customer was found: chosen by the cashier, or from the card (seed 004).
CUSTOMER_LINKS = ("chosen", "card_created", "card_matched")


class Sale(db.Model):
    __tablename__ = "sales"
    __table_args__ = (
        Index("ix_sales_created", "created_at", "id"),
        Index("ix_sales_customer", "customer_id", "created_at"),
        Index("ix_sales_location_created", "location_id", "created_at"),
        Index("ix_sales_payment_created", "payment_method", "created_at"),
        Index("ix_sales_card", "card_last4", "card_brand"),  # the last four alone, or with the brand
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    customer_link: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    total_cents: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="completed")
    payment_method: Mapped[str] = mapped_column(String(10), default="cash")
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_holder_name: Mapped[str | None] = mapped_column(String(120))
    points_earned: Mapped[int] = mapped_column(default=0)
    # What the items came to before the discounts (0 on sales recorded before
    # discounts existed: their total is their subtotal).
    subtotal_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # The discount lines (each also a line of the receipt), in the order applied:
    # the customer's default discount, an earned reward, points.
    customer_discount_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    customer_discount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    reward_label: Mapped[str | None] = mapped_column(String(120))
    reward_discount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    points_redeemed: Mapped[int] = mapped_column(default=0, server_default="0")
    points_discount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # What refunds gave back so far (a partial refund gives back its share).
    points_earned_reversed: Mapped[int] = mapped_column(default=0, server_default="0")
    points_redeemed_returned: Mapped[int] = mapped_column(default=0, server_default="0")
    # Earned points that could not be taken back: already spent elsewhere.
    points_unrecovered: Mapped[int] = mapped_column(default=0, server_default="0")
    refunded_cents: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def items_total_cents(self) -> int:
        """What the items came to before the discounts."""
        return self.subtotal_cents or self.total_cents

    @property
    def discount_cents(self) -> int:
        return (self.customer_discount_cents or 0) + (self.reward_discount_cents or 0) + \
            (self.points_discount_cents or 0)

    items: Mapped[list["SaleItem"]] = relationship(
        back_populates="sale", cascade="all, delete-orphan", order_by="SaleItem.id")
    location = relationship("Location")
    employee = relationship("Employee")
    customer = relationship("Customer")


class SaleItem(db.Model):
    __tablename__ = "sale_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), default="")  # folded (textkeys.fold)
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price_cents: Mapped[int] = mapped_column(default=0)
    refunded_quantity: Mapped[int] = mapped_column(default=0, server_default="0")

    sale: Mapped[Sale] = relationship(back_populates="items")

    @property
    def line_total_cents(self) -> int:
        return self.quantity * self.unit_price_cents

    @property
    def refundable_quantity(self) -> int:
        return self.quantity - (self.refunded_quantity or 0)


class Invoice(db.Model):
    """A sale invoiced to a customer (seed 002): open until settled."""
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_customer_status", "customer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open / paid
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))

    sale = relationship("Sale")
    customer = relationship("Customer")
    paid_by = relationship("Employee")


# Folded keys are ASCII, so byte order is prefix order: "C" collation on PostgreSQL.
_KEY = String(120).with_variant(String(120, collation="C"), "postgresql")


class ItemName(db.Model):
    """Every item name the shop has sold, folded once: the item filter's
    suggestions, and the first step of its search (a typed start becomes the
    few whole names it begins, each then one range in customer_purchases)."""
    __tablename__ = "item_names"

    name_key: Mapped[str] = mapped_column(_KEY, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # as first sold


class CustomerPurchase(db.Model):
    """The purchase index behind the directory's item filter: one row per
    item name per sale of a customer, voided sales left out (core/purchase_index.py
    keeps it). Its key answers "did this customer buy X between A and B" in
    one seek; the second index answers "who bought X between A and B"."""
    __tablename__ = "customer_purchases"
    __table_args__ = (Index("ix_customer_purchases_item", "name_key", "sold_at", "customer_id"),
                      {"sqlite_with_rowid": False})  # SQLite: the key is the table

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    name_key: Mapped[str] = mapped_column(_KEY, primary_key=True)
    sold_at: Mapped[datetime] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), primary_key=True)
