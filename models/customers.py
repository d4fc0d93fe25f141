from datetime import date, datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from core.textkeys import fold, name_key

customer_groups = Table(
    "customer_groups",
    db.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)
CustomerGroup = customer_groups

# Where a profile came from (seed 004: card sales and marketing sign-ups create profiles).
ORIGINS = ("manual", "import", "card", "marketing", "loyalty", "sale", "demo")
# Restaurant back office: the default account profile menu (seed 002).
ACCOUNT_PROFILES = ("standard", "business", "staff", "vip")
DISCOUNTS = (0, 5, 10, 15, 20, 25, 50)


def display_name(first_name: str | None, last_name: str | None, company: str | None, customer_id: int) -> str:
    """How a customer is named on screen: their names, else their company,
    else their number (Customer.display_name, and the light rows of the
    directory and the export)."""
    if first_name and last_name:
        return f"{first_name} {last_name}"
    return first_name or last_name or company or f"#{customer_id}"


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_list_name", "archived", "sort_name", "id"),
        Index("ix_customers_list_last_visit", "archived", "last_visit_at", "id"),
        Index("ix_customers_list_points", "archived", "points_balance", "id"),
        Index("ix_customers_list_spent", "archived", "total_spent_cents", "id"),
        Index("ix_customers_loyalty_points", "loyalty_member", "points_balance", "id"),
        Index("ix_customers_card", "card_match_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    # Lower-cased email: uniqueness checks, duplicates, loyalty usernames.
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    # A full date in `birthday`, or the day and month alone when the year is
    # unknown (birthdays.Birthday): one or the other, never both.
    birthday: Mapped[date | None]
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    company: Mapped[str | None] = mapped_column(String(200))
    comments: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(40))
    account_profile: Mapped[str] = mapped_column(String(20), default="standard")
    default_discount: Mapped[int] = mapped_column(default=0)  # percent
    # Consent per purpose (email and SMS marketing, e-receipts) lives in
    # models/consent.py: its current state and its history with the proof.
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    # An import kept a value it could not read (an unverified phone, a date
    # moved to the comments): the directory's "À vérifier" filter finds them.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None]
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))

    # Loyalty programme: membership and the balance cached from the ledger.
    loyalty_member: Mapped[bool] = mapped_column(Boolean, default=False)
    loyalty_enrolled_at: Mapped[datetime | None]
    points_balance: Mapped[int] = mapped_column(default=0)

    # A summary of the sales kept up to date by the sales service, so lists
    # sort by last visit and total spent without aggregating millions of sales.
    visit_count: Mapped[int] = mapped_column(default=0)
    total_spent_cents: Mapped[int] = mapped_column(default=0)
    first_visit_at: Mapped[datetime | None]
    last_visit_at: Mapped[datetime | None]

    # Derived keys (see refresh_keys): accent-free, lower-case.
    sort_name: Mapped[str] = mapped_column(String(210), default="")
    # The search documents (core/search_index.py), written by search_index only.
    name_search: Mapped[str] = mapped_column(String(400), default="")
    email_search: Mapped[str] = mapped_column(String(254), default="")
    phone_search: Mapped[str] = mapped_column(String(400), default="")
    name_key: Mapped[str] = mapped_column(String(210), default="", index=True)
    # "holder name|brand|last4" of the card that created or matched this profile.
    card_match_key: Mapped[str | None] = mapped_column(String(160))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: a save from a stale form is refused, not applied.
    version: Mapped[int] = mapped_column(default=1)

    phones: Mapped[list["Phone"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Phone.id")
    groups: Mapped[list[Group]] = relationship(secondary=customer_groups, order_by=Group.name)
    merged_into: Mapped["Customer | None"] = relationship(remote_side=[id])
    # Read-only here: blueprints/customers/consent.py writes them, with their history.
    consents: Mapped[list["CustomerConsent"]] = relationship(viewonly=True)  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company, self.id)

    @property
    def birthday_value(self):
        """The birthday with or without its year (birthdays.Birthday), or None."""
        from core.birthdays import Birthday
        return Birthday.of(self)

    def set_birthday(self, value) -> None:
        """Set from a birthdays.Birthday, a date or None (the three columns at once)."""
        from core.birthdays import NO_BIRTHDAY, Birthday
        if isinstance(value, date):
            value = Birthday(value.month, value.day, value.year)
        for name, column_value in (value.columns() if value is not None else NO_BIRTHDAY).items():
            setattr(self, name, column_value)

    @property
    def linked_phones(self) -> list["Phone"]:
        return [phone for phone in self.phones if phone.linked]

    def refresh_keys(self) -> None:
        """Recompute the derived search and duplicate keys from the fields."""
        self.sort_name = fold(f"{self.last_name or ''} {self.first_name or ''}")[:210]
        self.email_key = self.email.strip().lower() if self.email else None
        self.name_key = name_key(self.first_name, self.last_name)[:210]


class Phone(db.Model):
    """A number of a customer. Unlinking keeps it in the history but it no
    longer finds the customer (seed 003)."""
    __tablename__ = "phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    raw: Mapped[str] = mapped_column(String(40))  # as typed
    e164: Mapped[str | None] = mapped_column(String(20), index=True)
    # E.164 without "+": what a search by digits looks into.
    digits: Mapped[str] = mapped_column(String(20), default="", index=True)
    label: Mapped[str] = mapped_column(String(20), default="mobile")
    # How pages show it: phones.display_form(e164, raw, shop region), written
    # with the number by every code that writes one (service.make_phone and
    # the writers that build rows themselves), so no page formats it per row.
    display: Mapped[str | None] = mapped_column(String(40))
    linked: Mapped[bool] = mapped_column(Boolean, default=True)
    unlinked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="phones")
