"""A card payment and its holder (seed 004): the key that recognises the same
card again (holder name, brand, last four), the holder's name read as first
and last name, and the profile the card finds or creates at checkout."""
from __future__ import annotations

from sqlalchemy import select

from blueprints.customers.service import create_customer
from core.textkeys import fold
from extensions import db
from models import Customer


def card_match_key(holder_name: str | None, brand: str | None, last4: str | None) -> str | None:
    """"holder name|brand|last4", folded: what Customer.card_match_key holds."""
    name = fold(holder_name)
    if not name or not brand or not last4:
        return None
    return f"{name}|{brand}|{last4}"[:160]


def split_holder_name(holder_name: str) -> tuple[str | None, str | None]:
    """A card's holder name as first and last name.

    "JEANNE MARTIN" -> ("Jeanne", "Martin"); the card-track form "MARTIN/JEANNE"
    -> ("Jeanne", "Martin"); a single word is a last name."""
    text = " ".join(holder_name.split())
    if text.isupper() or text.islower():
        text = text.title()
    if "/" in text:
        last, _sep, first = text.partition("/")
        return first.strip() or None, last.strip() or None
    parts = text.rsplit(" ", 1)
    if len(parts) == 1:
        return None, parts[0] or None
    return parts[0], parts[1]


def find_or_create_card_customer(holder_name: str, brand: str, last4: str) -> tuple[Customer | None, str | None]:
    """Seed 004: the card's holder name, brand and last four find the profile
    they created before, or create one (origin "card").

    A profile merged into another leads to the primary. An archived profile
    cannot join a sale (seed 000) and is not recreated behind the shop's back:
    the sale then stays without a customer."""
    key = card_match_key(holder_name, brand, last4)
    if key is None:
        return None, None
    candidates = list(db.session.scalars(
        select(Customer).where(Customer.card_match_key == key, Customer.anonymised.is_(False))
        .order_by(Customer.archived, Customer.id).limit(5)))
    for candidate in candidates:
        seen = set()
        while candidate.archived and candidate.merged_into_id and candidate.id not in seen:
            seen.add(candidate.id)
            candidate = db.session.get(Customer, candidate.merged_into_id)
        if not candidate.archived and not candidate.anonymised:
            return candidate, "card_matched"
    if candidates:
        return None, None
    first, last = split_holder_name(holder_name)
    customer = create_customer(first_name=first, last_name=last, origin="card", card_match_key=key)
    return customer, "card_created"
