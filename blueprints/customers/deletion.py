"""Deleting a customer's data (seeds 000 and 001): anonymisation in place.

Needs *Clients – Base* and *Clients – Suppression de clients*; the customer must
be archived first. It cannot be undone. Links to the customer are removed
(phone numbers, groups, loyalty membership, the search documents), the profile
page is gone (404), and the activity stays under an anonymised identifier:
sales, invoices, points ledger rows and rewards keep pointing at the same id,
whose row no longer holds anything about the person.

Every personal value goes: names, email, postal address, birthday, comments,
tax id, the card key, every derived search key, their consent decisions
and the proof of them, the card holder's name on
their sales and the free-text reason of their ledger rows. Audit rows hold ids
only by construction (audit.record checks it). Records merged into this
customer are the same person: they are anonymised too.

On SQLite, `secure_delete` (app.py) zeroes what rows and index entries leave
behind in the pages, and purge_freed_pages() merges the trigram index so that
no segment keeps the old documents' trigrams; the write-ahead log still holds older copies of those
pages until a checkpoint, so purge_freed_pages() checkpoints and truncates it.
PostgreSQL keeps dead row versions until VACUUM: purge_freed_pages() vacuums
the tables the deletion wrote (and their indexes), so that no live or dead
tuple keeps the person's values (tests/web/test_customers_delete.py reads the
pages with pageinspect).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from core.audit import record
from blueprints.customers.service import CustomerError
from extensions import db
from models import Customer, Phone, PointsEntry, Sale, customer_groups
from models.base import utcnow

# Every column of Customer that can hold something about the person.
PERSONAL_COLUMNS = ("first_name", "last_name", "email", "email_key", "address_line1", "address_line2",
                    "postal_code", "city", "country", "birthday", "birthday_month", "birthday_day", "company",
                    "comments", "tax_id", "card_match_key")
KEY_COLUMNS = ("sort_name", "name_search", "email_search", "phone_search", "name_key")


class DeletionError(CustomerError):
    """The deletion is refused; nothing was written."""


def anonymised_label(customer_id: int) -> str:
    return _("Client anonymisé #%(id)s", id=customer_id)


def _merged_into(customer_ids: list[int]) -> list[int]:
    """Records merged (directly or through others) into these customers."""
    found: list[int] = []
    frontier = list(customer_ids)
    while frontier:
        children = list(db.session.scalars(select(Customer.id).where(
            Customer.merged_into_id.in_(frontier), Customer.anonymised.is_(False))))
        children = [c for c in children if c not in found and c not in customer_ids]
        found += children
        frontier = children
    return found


def _scrub(ids: list[int], now) -> None:
    """One UPDATE for all of them (the retention job passes thousands at
    once); the version moves, so a form opened before is refused."""
    values = {**{column: None for column in PERSONAL_COLUMNS}, **{column: "" for column in KEY_COLUMNS},
              "loyalty_member": False,
              "archived": True, "archived_at": func.coalesce(Customer.archived_at, now),
              "anonymised": True, "anonymised_at": now, "updated_at": now, "version": Customer.version + 1}
    db.session.execute(update(Customer).where(Customer.id.in_(ids)).values(**values)
                       .execution_options(synchronize_session=False))


def delete_customer(customer_id: int, *, employee_id: int | None, confirmed: bool) -> list[int]:
    """Anonymise an archived customer (and the records merged into them).
    Returns the ids anonymised. The caller commits, then calls purge_freed_pages()."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.anonymised:
        raise LookupError("customer not found")
    if not customer.archived:
        raise DeletionError(_("Archivez d’abord le client : seul un client archivé peut être supprimé."))
    if not confirmed:
        raise DeletionError(_("Cochez la case pour confirmer que vous avez lu et compris l’avertissement."),
                            "confirm")
    ids = [customer.id] + _merged_into([customer.id])
    anonymise(ids)
    record("customer_deleted", "customer", customer.id, count=len(ids), employee_id=employee_id,
           details={"also_anonymised": ids[1:]} if len(ids) > 1 else None)
    db.session.flush()
    return ids


def anonymise(ids: list[int]) -> None:
    """The anonymisation itself, of these customers (and nothing else): a
    manual deletion above, and the retention job (anonymising.py) batch by
    batch. No audit row: each caller writes its own. The caller commits."""
    from blueprints.customers import undo_merge
    undo_merge.forget_customers(ids)  # the undo window ends: its copies of their data go now
    now = utcnow()
    db.session.flush()
    from blueprints.customers import consent
    consent.forget(ids)  # their decisions and the proof of them identify them: all go
    _scrub(ids, now)
    for statement in (
        delete(Phone).where(Phone.customer_id.in_(ids)),
        delete(customer_groups).where(customer_groups.c.customer_id.in_(ids)),
        update(Sale).where(Sale.customer_id.in_(ids)).values(card_holder_name=None),
        update(PointsEntry).where(PointsEntry.customer_id.in_(ids)).values(reason=None),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    # What the session still holds of them (phones, groups, card names) is stale now.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Phone) and obj.customer_id in ids:
            db.session.expunge(obj)
        elif isinstance(obj, (Customer, Sale, PointsEntry)):
            db.session.expire(obj)

    from core import search_index
    search_index.reindex(db.session.connection(), ids)  # anonymised: no documents (the scrub emptied them)


# The tables whose rows the deletion rewrites or removes (PostgreSQL vacuums them).
WRITTEN_TABLES = ("customers", "phones", "customer_groups", "sales", "points_entries", "consent_events", "customer_consents")


def purge_freed_pages() -> bool:
    """After the deletion's commit. SQLite: copy the write-ahead log into the
    database and truncate it, so no older copy of a scrubbed page survives in
    the -wal file. PostgreSQL: VACUUM the written tables, index entries
    included, so no dead row version keeps the values. True when done (False:
    readers kept SQLite's log busy; the next checkpoint will finish the job)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction. A transaction older than the
        # deletion still sees the old versions; autovacuum removes them later.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (INDEX_CLEANUP ON) " + ", ".join(WRITTEN_TABLES))
        return True
    if engine.dialect.name != "sqlite":
        return True
    with engine.begin() as connection:
        # FTS5 deletes by writing a tombstone: the trigrams of the old values
        # stay in the older segments until these are merged. 'optimize'
        # merges them all into one, without the deleted entries.
        connection.exec_driver_sql("INSERT INTO customer_fts(customer_fts) VALUES ('optimize')")
    with engine.connect() as connection:
        for _attempt in range(5):
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if not busy:
                return True
    return False
