"""The customer search index (customer_search_terms): what a customer can be
found by, as word prefixes.

A term typed in the search box is folded the same way and each of its words
must be the prefix of one of the customer's terms: "elod" finds Élodie,
"elo dup" finds Élodie Dupont, "gmail" finds an @gmail.com address, "0612"
and "+33 6 12" find +33612345678.

ORM changes keep the index right by themselves (an after_flush hook below);
bulk statements (the demo loader, imports) call reindex() themselves.
"""
from __future__ import annotations

import re

import phonenumbers
from sqlalchemy import and_, delete, event, func, insert, inspect, literal, select
from sqlalchemy.orm import Session, aliased

from models import Customer, CustomerSearchTerm, Phone
from textkeys import fold

_EMAIL_PARTS = re.compile(r"[.@_+\-]+")
_MAX = 80
# The upper bound of a prefix range: every folded term is ASCII below it.
_AFTER = "\x7f"


def name_terms(first_name: str | None, last_name: str | None) -> set[str]:
    words = fold(f"{first_name or ''} {last_name or ''}").split()
    terms = set(words)
    if len(words) > 1:
        terms.add("".join(words))  # "obrien" for O'Brien, "jeanbaptiste"
    return terms


def email_terms(email: str | None) -> set[str]:
    folded = fold(email).replace(" ", "")
    if not folded:
        return set()
    return {folded, *(part for part in _EMAIL_PARTS.split(folded) if part)}


def phone_terms(e164: str | None) -> set[str]:
    """Full international digits, national significant number, last four."""
    if not e164:
        return set()
    digits = e164.lstrip("+")
    terms = {digits, digits[-4:]}
    national = _national_number(digits)
    if national:
        terms.add(national)
    return terms


def _national_number(digits: str) -> str | None:
    """The national significant number of E.164 digits, as phonenumbers.parse()
    reads it: after the shortest known country code (parse() itself, 20 µs a
    number, would cost seconds in a 100,000-row import)."""
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            if national and not national.startswith("0"):
                return national
            break
    try:
        return str(phonenumbers.parse("+" + digits, None).national_number)
    except phonenumbers.NumberParseException:
        return None


def unverified_phone_terms(digits: str | None) -> set[str]:
    """A number kept as typed (e164 None, an import could not read it): its
    digits, without a national "0", and its last four, so it can still be found."""
    if not digits or len(digits) < 3:
        return set()
    terms = {digits, digits[-4:]}
    if digits.startswith("0") and not digits.startswith("00"):
        terms.add(digits[1:])
    return terms


def company_terms(company: str | None) -> set[str]:
    """A company is found through the name field: "boul" finds Boulangerie Lefèvre SARL."""
    return name_terms(company, None)


def rows_for(customer_id: int, first_name, last_name, email, phone_e164s, company=None,
             unverified_digits=()) -> list[dict]:
    rows = [("name", term) for term in name_terms(first_name, last_name) | company_terms(company)]
    rows += [("email", term) for term in email_terms(email)]
    for e164 in phone_e164s:
        rows += [("phone", term) for term in phone_terms(e164)]
    for digits in unverified_digits:
        rows += [("phone", term) for term in unverified_phone_terms(digits)]
    unique = {(field, term[:_MAX]) for field, term in rows if term}
    return [{"field": field, "term": term, "customer_id": customer_id} for field, term in sorted(unique)]


def reindex(connection, customer_ids) -> None:
    """Rewrite the terms of these customers from what the database holds now."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        connection.execute(delete(CustomerSearchTerm).where(CustomerSearchTerm.customer_id.in_(chunk)))
        customers = connection.execute(
            select(Customer.id, Customer.first_name, Customer.last_name, Customer.email, Customer.anonymised,
                   Customer.company)
            .where(Customer.id.in_(chunk))).all()
        phones: dict[int, list[str]] = {}
        unverified: dict[int, list[str]] = {}
        for customer_id, e164, digits in connection.execute(
                select(Phone.customer_id, Phone.e164, Phone.digits)
                .where(Phone.customer_id.in_(chunk), Phone.linked.is_(True))):
            if e164:
                phones.setdefault(customer_id, []).append(e164)
            else:
                unverified.setdefault(customer_id, []).append(digits)
        rows = []
        for customer in customers:
            if not customer.anonymised:
                rows += rows_for(customer.id, customer.first_name, customer.last_name, customer.email,
                                 phones.get(customer.id, []), company=customer.company,
                                 unverified_digits=unverified.get(customer.id, ()))
        if rows:
            connection.execute(insert(CustomerSearchTerm), rows)


def _starting(terms, field: str, word: str):
    return and_(terms.field == field, terms.term >= word, terms.term < word + _AFTER)


def candidates(field: str, words, per_customer: bool = False, walking: bool = False) -> tuple:
    """The customers with, in `field`, a term starting with each word, and
    how many terms its first word starts (see breadth); (None, 0) without
    words.

    The rarest word gathers the candidates and the others are probed per
    candidate, one seek each in ix_customer_search_terms_customer: "fatou le"
    no longer gathers every "le" (140,000 customers) to intersect them.
    Given as a select of customer ids (what PostgreSQL joins best), or,
    `per_customer`, as a condition on Customer whose probes run only for the
    customers actually read (what suits SQLite walking a sorted list).
    `walking` (PostgreSQL reading a broad search's page in list order): every
    word is a probe of the customer's own terms, written as a scalar
    subquery, which PostgreSQL keeps per row where it turns IN and EXISTS
    into a join that gathers and sorts every candidate (250 ms for "jean")."""
    words = sorted({word[:_MAX] for word in words if word})
    if not words:
        return None, 0
    counts = {word: breadth(field, word) for word in words}
    words.sort(key=lambda word: (counts[word], -len(word)))  # at the limit, the longer
    if walking:
        probes = []
        for word in words:
            own = aliased(CustomerSearchTerm)
            probes.append(select(literal(True)).where(own.customer_id == Customer.id, _starting(own, field, word))
                          .limit(1).scalar_subquery())
        return and_(*probes), counts[words[0]]
    first = aliased(CustomerSearchTerm)
    gathered = select(first.customer_id).where(_starting(first, field, words[0]))
    owner = Customer.id if per_customer else first.customer_id
    probes = []
    for word in words[1:]:
        other = aliased(CustomerSearchTerm)
        probes.append(select(other.customer_id)
                      .where(other.customer_id == owner, _starting(other, field, word)).exists())
    if per_customer:
        return and_(Customer.id.in_(gathered), *probes), counts[words[0]]
    return gathered.where(*probes), counts[words[0]]


# Counting stops here: past it, a term is broad (see customers.search.customer_page).
BREADTH_LIMIT = 30_000


def breadth(field: str, word: str) -> int:
    """How many terms of the field start with the word, counted up to
    BREADTH_LIMIT + 1 from the index alone (a few milliseconds at most),
    once per request: a list page builds its select three times."""
    from flask import g, has_app_context

    from extensions import db
    word = word[:_MAX]
    known = g.setdefault("_search_breadth", {}) if has_app_context() else {}
    if (field, word) not in known:
        first = (select(CustomerSearchTerm.customer_id)
                 .where(CustomerSearchTerm.field == field, CustomerSearchTerm.term >= word,
                        CustomerSearchTerm.term < word + _AFTER).limit(BREADTH_LIMIT + 1))
        known[field, word] = db.session.scalar(select(func.count()).select_from(first.subquery()))
    return known[field, word]


# --- keeping the index right after ORM changes ------------------------------

_WATCHED = ("first_name", "last_name", "company", "email", "anonymised")


@event.listens_for(Session, "after_flush")
def _reindex_changed_customers(session, _flush_context):
    ids = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Customer):
            state = inspect(obj)
            if obj in session.new or any(state.attrs[name].history.has_changes() for name in _WATCHED):
                ids.add(obj.id)
        elif isinstance(obj, Phone) and obj.customer_id is not None:
            ids.add(obj.customer_id)
    for obj in session.deleted:
        if isinstance(obj, Phone) and obj.customer_id is not None:
            ids.add(obj.customer_id)
    ids.discard(None)
    if ids:
        reindex(session.connection(), ids)
