"""The data-quality inbox's rules as SQL predicates, shared by the partial
indexes that hold them (migration f15q00000001) and the queries that read
them (blueprints/customers/quality.py).

Each predicate is plain SQL text that SQLite and PostgreSQL both accept. A
query must carry the predicate's exact text for the planner to use the
partial index (SQLite matches the expression literally), so it is written
once, here. The index stores only the customers the rule flags: the inbox
reads a few hundred entries, never the million rows.
"""
from sqlalchemy import Index, text

# Imported values that could not be read (an import set needs_review).
REVIEW = "archived = false AND needs_review = true"
# A name in capitals ("DUPONT", more than two letters) or with stray spaces.
NAMES = ("archived = false AND ("
         "(first_name = upper(first_name) AND first_name <> lower(first_name) AND length(first_name) > 2)"
         " OR (last_name = upper(last_name) AND last_name <> lower(last_name) AND length(last_name) > 2)"
         " OR first_name <> trim(first_name) OR last_name <> trim(last_name)"
         " OR first_name LIKE '%  %' OR last_name LIKE '%  %')")
# An address that cannot be one (no "x@y.z", a space, two @, two dots in a row).
BAD_EMAIL = ("archived = false AND email IS NOT NULL AND ("
             "email NOT LIKE '%_@_%._%' OR email LIKE '% %' OR email LIKE '%@%@%' OR email LIKE '%..%'"
             " OR email LIKE '%.')")
# A profile a card sale created (seed 004) with no email: with no phone either
# (checked per row), nobody can be contacted.
CARD_ONLY = "archived = false AND origin = 'card' AND email IS NULL"
# On phones: a number kept as typed, unverified (an import could not read it).
UNVERIFIED_PHONE = "e164 IS NULL AND linked = true"

# name -> (table, index name, predicate)
PARTIAL_INDEXES = {
    "review": ("customers", "ix_quality_review", REVIEW),
    "name": ("customers", "ix_quality_names", NAMES),
    "email": ("customers", "ix_quality_bad_email", BAD_EMAIL),
    "card_only": ("customers", "ix_quality_card_only", CARD_ONLY),
    "phone": ("phones", "ix_quality_unverified_phone", UNVERIFIED_PHONE),
}
# The key each partial index holds: the customer (and the phone) ids, in order.
INDEX_COLUMNS = {"customers": ("id",), "phones": ("customer_id", "id")}

# The domain of the lower-cased email (Customer.email_key), for the typo rule:
# an expression index per dialect (the query repeats the same expression).
EMAIL_DOMAIN = {
    "sqlite": "substr(email_key, instr(email_key, '@') + 1)",
    "postgresql": "split_part(email_key, '@', 2)",
}


def declare(metadata_tables) -> None:
    """The same indexes on the models' tables (so create_all and the
    migration agree)."""
    for table_name, name, predicate in PARTIAL_INDEXES.values():
        table = metadata_tables[table_name]
        Index(name, *(table.c[c] for c in INDEX_COLUMNS[table_name]),
              sqlite_where=text(predicate), postgresql_where=text(predicate))
    customers = metadata_tables["customers"]
    Index("ix_customers_birthday", customers.c.birthday)
    Index("ix_customers_merged_into", customers.c.merged_into_id,
          sqlite_where=text("merged_into_id IS NOT NULL"), postgresql_where=text("merged_into_id IS NOT NULL"))
