"""A customer as one employee may see them: what permissions.customer_view
(a whole customer) and permissions.row_views (a list's row) build, and what
templates and exports read."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple


@dataclass(frozen=True)
class PhoneView:
    id: int
    text: str
    linked: bool
    label: str


@dataclass(frozen=True)
class AddressView:
    line1: str | None
    line2: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    masked: bool

    @property
    def is_empty(self) -> bool:
        return not any((self.line1, self.line2, self.postal_code, self.city, self.country))


@dataclass(frozen=True)
class CustomerView:
    """A customer as one employee may see them. Fields the employee may not
    view are None (or empty) here, so no template or export can print them."""
    id: int
    first_name: str | None
    last_name: str | None
    display_name: str
    archived: bool
    anonymised: bool
    origin: str
    email: str | None
    email_level: str
    phones: list[PhoneView]
    phone_level: str
    address: AddressView | None
    address_level: str
    comments: str | None
    history_visible: bool
    groups: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def can_edit(self, field_name: str) -> bool:
        return getattr(self, f"{field_name}_level") == "edit"


class CustomerRowView(NamedTuple):
    """One row of a customer list as one employee may see it: only what the
    list shows. A contact value the employee may not view is None, as in
    CustomerView. A tuple: fifty of them are built for every keystroke."""
    id: int
    display_name: str
    archived: bool
    needs_review: bool
    email: str | None
    # The first linked number, as the employee may see it.
    phone: str | None
    points_balance: int
    last_visit_at: datetime | None
    total_spent_cents: int
    groups: list[str]
    birthday: Any  # birthdays.Birthday or None
