"""The customer search documents: what a customer can be found by.

Each customer has three folded documents, one per field a permission set
may or may not search (permissions.searchable_fields), stored on the row:
- customers.name_search: first and last names, the two joined ("obrien" for
  O'Brien), and the company;
- customers.email_search: the address;
- customers.phone_search: each linked number as international digits and in
  its national form with the trunk prefix ("33612345678 0612345678"); a
  number an import kept as typed, its digits.

A search word of three characters or more is found anywhere in a document
("pont" finds Dupont, "0612" a number, "thomas.jo" an address); a shorter
word must start a word of it. The databases' own trigram indexes answer it:
SQLite's FTS5 (the table customer_fts, "external content" over these three
columns, kept in step by triggers: migration f13s00000001) and PostgreSQL's
pg_trgm (one GIN index per column). The condition itself is always the
LIKE on the customer's row, so both give the same answers; FTS5 only
gathers the candidates.

ORM changes keep the documents right by themselves (an after_flush hook
below); bulk statements (the demo loader, imports) call documents() when
they write, or reindex() after.
"""
from __future__ import annotations

from functools import lru_cache

import phonenumbers
from sqlalchemy import and_, bindparam, column, event, inspect, or_, select, table, text
from sqlalchemy.orm import Session

from models import Customer, Phone
from core.textkeys import fold

FIELDS = ("name", "email", "phone")
COLUMNS = {"name": Customer.name_search, "email": Customer.email_search, "phone": Customer.phone_search}
# The FTS5 table (SQLite only): rowid = customers.id.
FTS_TABLE = "customer_fts"
# Words shorter than a trigram cannot be looked up in a trigram index: they
# must start a word, checked on the rows the other words (or the walk) give.
TRIGRAM = 3


# --- the documents ------------------------------------------------------------

def name_document(first_name: str | None, last_name: str | None, company: str | None = None) -> str:
    parts = []
    for text_value in (f"{first_name or ''} {last_name or ''}", company):
        words = fold(text_value).split()
        parts += words
        if len(words) > 1:
            parts.append("".join(words))  # "obrien" for O'Brien, "jeanbaptiste"
    return " ".join(parts)[:400]


def email_document(email: str | None) -> str:
    return fold(email).replace(" ", "")[:254]


@lru_cache(maxsize=512)
def _trunk_prefix(country_code: int) -> str:
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code) or ()
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(regions[0]) if regions else None
    return (metadata.national_prefix or "") if metadata else ""


def phone_forms(e164: str) -> list[str]:
    """International digits and the national form as dialled at home
    ("33612345678", "0612345678"), without phonenumbers.parse() (20 µs a
    number: seconds in a 100,000-row import)."""
    digits = e164.lstrip("+")
    for length in (1, 2, 3):
        code = int(digits[:length] or 0)
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            return [digits, _trunk_prefix(code) + national] if national else [digits]
    return [digits]


def phone_document(e164s=(), unverified_digits=()) -> str:
    forms: list[str] = []
    for e164 in e164s:
        forms += phone_forms(e164)
    forms += [digits for digits in unverified_digits if digits]
    return " ".join(dict.fromkeys(forms))[:400]


def documents(first_name, last_name, email, phone_e164s=(), company=None, unverified_digits=()) -> dict:
    """The three documents of a customer, as column values."""
    return {"name_search": name_document(first_name, last_name, company),
            "email_search": email_document(email),
            "phone_search": phone_document(phone_e164s, unverified_digits)}


EMPTY = {"name_search": "", "email_search": "", "phone_search": ""}
# The columns alone, without the model's onupdate (updated_at says when a
# person changed a customer; undo_import reads it).
_DOCUMENTS = table("customers", column("id"), *(column(key) for key in EMPTY))


def reindex(connection, customer_ids) -> None:
    """Rewrite the documents of these customers from what the database holds
    now (an anonymised customer has none). Only changed rows are written:
    on SQLite each write also rewrites the customer's FTS5 entries."""
    ids = sorted({customer_id for customer_id in customer_ids if customer_id is not None})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        phones: dict[int, list[str]] = {}
        unverified: dict[int, list[str]] = {}
        for customer_id, e164, digits in connection.execute(
                select(Phone.customer_id, Phone.e164, Phone.digits)
                .where(Phone.customer_id.in_(chunk), Phone.linked.is_(True)).order_by(Phone.id)):
            if e164:
                phones.setdefault(customer_id, []).append(e164)
            elif digits:
                unverified.setdefault(customer_id, []).append(digits)
        changed = []
        for row in connection.execute(
                select(Customer.id, Customer.first_name, Customer.last_name, Customer.email, Customer.company,
                       Customer.anonymised, *COLUMNS.values()).where(Customer.id.in_(chunk))):
            wanted = EMPTY if row.anonymised else documents(
                row.first_name, row.last_name, row.email, phones.get(row.id, ()), row.company,
                unverified.get(row.id, ()))
            if any(getattr(row, key) != value for key, value in wanted.items()):
                changed.append({"_id": row.id, **wanted})
        if changed:
            connection.execute(_DOCUMENTS.update().where(_DOCUMENTS.c.id == bindparam("_id"))
                               .values({key: bindparam(key) for key in EMPTY}), changed)


# --- the search conditions ----------------------------------------------------

def word_condition(column, word: str):
    """The word anywhere in the document, or, shorter than a trigram, at the
    start of one of its words. Folded words hold no LIKE wildcard."""
    if len(word) >= TRIGRAM:
        return column.like(f"%{word}%")
    return or_(column.like(f"{word}%"), column.like(f"% {word}%"))


def field_condition(field: str, words) -> object:
    column = COLUMNS[field]
    return and_(*(word_condition(column, word) for word in words))


def fts_query(branches: dict) -> str | None:
    """The FTS5 expression gathering a superset of the branches' matches
    ({field: words}), or None when a branch has no word of three characters
    (it could then match rows FTS5 cannot find)."""
    parts = []
    for field, words in branches.items():
        long_words = [word for word in words if len(word) >= TRIGRAM]
        if not long_words:
            return None
        column = COLUMNS[field].key
        parts.append("(" + " AND ".join(f'{column} : "{word}"' for word in long_words) + ")")
    return " OR ".join(parts) or None


def fts_matches(query: str):
    """customers.id IN the FTS5 matches (SQLite)."""
    return Customer.id.in_(text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
                           .bindparams(fts_query=query))


def name_prefix(word: str):
    """A term of one or two characters: the start of the sorted name (last
    name first), one range of ix_customers_list_name. The upper bound is the
    prefix with its last character increased, which holds in byte order and
    in the usual linguistic orders for the folded alphabet."""
    upper = word.rstrip("z9")
    if upper:
        upper = upper[:-1] + chr(ord(upper[-1]) + 1)
        return and_(Customer.sort_name >= word, Customer.sort_name < upper)
    return Customer.sort_name >= word


# --- keeping the documents right after ORM changes ----------------------------

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
        # The rows were rewritten behind the ORM's back: read again when asked.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Customer) and obj.id in ids and obj not in session.deleted:
                session.expire(obj, list(EMPTY))
