"""A search term as one SQL condition (term_condition).

A term matches only the fields the employee may view in full (names always;
email and phone per permissions.searchable_fields), accent- and case-free,
through the search index: each word of the term starts a word of the field.
A field the employee may not view in full is matched by its complete value
only (permissions.complete_lookups: the full-value lookup rule).
"""
from __future__ import annotations

import re

from sqlalchemy import and_, or_, select

from core.permissions import complete_lookups, field_level, searchable_fields
from core.phones import normalise
from core.textkeys import fold
from models import Customer, Phone


def is_sqlite() -> bool:
    """Whether the session's database is SQLite, whose planner, without
    statistics, the search steers (here, in search_filters.py and search.py)."""
    from extensions import db
    return db.session.get_bind().dialect.name == "sqlite"


def term_condition(employee, term: str, phone_region: str = "FR", broad: bool = False):
    """SQL condition for a search term over the fields this employee may view
    (None when the term is empty, or a digit or two: the list stays shown
    until a phone number can be told).

    Through the search documents (core/search_index.py): every word must be in the
    same field's document, anywhere when it has three characters or more
    ("pont" finds Dupont, "elod" Élodie, "gmail" an address there, "0612",
    "+33 6 12" or the last four digits a number), at the start of a word
    when shorter ("marie d"). A term of one or two characters is the start
    of the sorted name, read from its index (ix_customers_list_name).

    On SQLite, unless `broad`, FTS5 gathers the candidates first (the LIKE
    then only checks them); `broad`: the LIKE alone, for walking the sorted
    list. PostgreSQL's planner answers the LIKE from the GIN trigram indexes
    or walks the list by itself."""
    from core.search_index import field_condition, fts_matches, fts_query, name_prefix

    term = term.strip()
    folded = fold(term)
    words = folded.split()
    if not words or _few_digits(term):
        return None
    allowed = searchable_fields(employee)
    if len(words) == 1 and len(words[0]) < 3 and "name" in allowed:
        return name_prefix(words[0])
    fields: dict[str, list[str]] = {}
    digits = phone_fragment(term, phone_region)
    if digits:
        # Digits without a letter are a number: its parts ("06", "12") are
        # no name to look for, and could not be looked up by trigram.
        if "phone" in allowed:
            fields["phone"] = [digits]
    else:
        if "name" in allowed:
            fields["name"] = words
        if "email" in allowed and ("@" in term or "." in term or len(folded) >= 3):
            fields["email"] = words
    branches = []
    for name, field_words in fields.items():
        branch = field_condition(name, field_words)
        if name != "name" and field_level(employee, name) != "edit":
            # A marketing-only customer's contact details are masked for a
            # set that may view but not edit them (permissions.field_level):
            # a term must not find them through those values either.
            branch = and_(branch, or_(Customer.origin != "marketing", Customer.visit_count > 0))
        branches.append(branch)
    if branches and is_sqlite() and not broad:
        query = fts_query(fields)
        if query is not None:  # else a branch without a trigram: only walking finds it
            branches = [and_(fts_matches(query), or_(*branches))]
    # The full-value lookup rule (permissions.complete_lookups): a field the
    # employee may not view in full is matched by its complete value, exactly.
    for name, key in complete_lookups(employee, term, phone_region).items():
        exact = (select(Customer.id).where(Customer.email_key == key) if name == "email" else
                 select(Phone.customer_id).where(Phone.e164 == key, Phone.linked.is_(True)))
        branches.append(Customer.id.in_(exact))
    if not branches:
        return Customer.id.is_(None)  # nothing this employee may search matches
    return or_(*branches)


def _few_digits(term: str) -> bool:
    """A digit or two (and phone punctuation): too short for any number."""
    return bool(_PHONE_LIKE.fullmatch(term)) and sum(ch.isdigit() for ch in term) < 3


_PHONE_LIKE = re.compile(r"[+\d\s().-]+")


def phone_fragment(term: str, region: str = "FR") -> str | None:
    """The digits to find in the phone documents when a term looks like (a
    part of) a number: a whole number in any format gives its international
    digits ("06 12 34 56 78" -> "33612345678"); "+33 6 12" and "0033 6 12"
    their start; otherwise the digits as typed, which the national form
    holds with its "0" ("06 12" -> "0612") and any part matches ("56 78")."""
    stripped = term.strip()
    digit_count = sum(ch.isdigit() for ch in stripped)
    if digit_count < 3 or any(ch.isalpha() for ch in stripped):
        return None
    # Only a term long enough to be a whole number is normalised: a short part
    # such as "55 12 98" would otherwise "succeed" in an overseas region.
    full = normalise(stripped, region) if digit_count >= 9 else None
    if full:
        return full.lstrip("+")
    only_digits = "".join(ch for ch in stripped if ch.isdigit())
    if stripped.startswith("00"):
        return only_digits[2:] or None
    return only_digits
