"""Merging duplicate customers (seed 000): the plan (merge_plan.py) carried
out, in one transaction that the caller commits or rolls back.

The primary takes the fields the plan chose. Each secondary is archived (so
it can be recovered) and linked to the primary (merged_into_id). The merge
can be undone for UNDO_DAYS days (undo_merge.py keeps the snapshot it needs).

History moves to the primary so that the merged customer is whole: sales,
invoices, the points ledger (balances added up, the cached balance equal to the
ledger for every record involved), one-time rewards, groups (union), phone
numbers (without duplicates) and loyalty membership.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm.exc import StaleDataError

from core import purchase_index
from core.audit import record
from blueprints.customers.merge_plan import MergeError, clean_secondary_ids, load_for_merge, plan_merge
from extensions import db
from models import Customer, Invoice, Phone, PointsEntry, Reward, Sale
from models.base import utcnow


def merge_customers(primary_id: int, secondary_ids, *, employee_id: int | None,
                    expected_versions: dict[int, int] | None = None) -> Customer:
    """Merge the secondaries into the primary (the caller commits).

    `expected_versions` ({id: version} from the preview) refuses a merge of
    records changed since the preview was shown. A record already merged into
    another is refused; so is one changed by a merge that committed while this
    one ran (SQLite: the version check at the write; PostgreSQL: the row locks
    make this one read the committed merge).
    """
    try:
        return _merge(primary_id, secondary_ids, employee_id=employee_id, expected_versions=expected_versions)
    except StaleDataError:
        # Lazy: the session must be rolled back (by the caller) before anything,
        # the language of the message included, is read from the database.
        raise MergeError(_l("Un des dossiers a été modifié depuis l’aperçu. Vérifiez le nouvel aperçu "
                            "avant de fusionner.")) from None


def _merge(primary_id: int, secondary_ids, *, employee_id: int | None,
           expected_versions: dict[int, int] | None) -> Customer:
    secondary_ids = clean_secondary_ids(primary_id, secondary_ids)
    primary, secondaries = load_for_merge(primary_id, secondary_ids, lock=True)
    if primary is None or len(secondaries) != len(secondary_ids):
        raise LookupError("customer not found")
    if any(customer.merged_into_id is not None for customer in [primary, *secondaries]):
        raise MergeError(_("Un de ces dossiers a déjà été fusionné dans un autre client."), "secondary")
    for customer in [primary, *secondaries]:
        expected = (expected_versions or {}).get(customer.id)
        if expected is not None and expected != customer.version:
            raise MergeError(_("Un des dossiers a été modifié depuis l’aperçu. Vérifiez le nouvel aperçu "
                               "avant de fusionner."))
    plan = plan_merge(primary, secondaries)
    ids = plan.all_ids
    from blueprints.customers import undo_merge
    snapshot = undo_merge.take(plan)

    # The first write: on SQLite it takes the write lock, so the balances read
    # next cannot move before this transaction ends (PostgreSQL: the row locks above).
    db.session.execute(update(PointsEntry).where(PointsEntry.customer_id.in_(secondary_ids))
                       .values(customer_id=primary.id).execution_options(synchronize_session=False))
    balances = dict(db.session.execute(select(Customer.id, Customer.points_balance)
                                       .where(Customer.id.in_(ids))).all())
    total = sum(balances.values())

    for move in (Sale, Invoice, Reward):
        db.session.execute(update(move).where(move.customer_id.in_(secondary_ids))
                           .values(customer_id=primary.id).execution_options(synchronize_session=False))
    purchase_index.move_customers(db.session.connection(), secondary_ids, primary.id)

    # Fields: only empty ones of the primary are filled.
    for outcome in plan.fields:
        if outcome.source_id not in (None, primary.id):
            source = plan.customer(outcome.source_id)
            for column in outcome.rule.columns:
                setattr(primary, column, getattr(source, column))
    for column, source_id in plan.hidden_sources.items():
        setattr(primary, column, getattr(plan.customer(source_id), column))

    # Phones: the new numbers move, the ones the primary already has go.
    moved_ids = [p.id for p in plan.phones_moved]
    dropped_ids = [p.id for p in plan.phones_dropped]
    for secondary in secondaries:
        db.session.expire(secondary, ["phones"])
    if moved_ids:
        db.session.execute(update(Phone).where(Phone.id.in_(moved_ids)).values(customer_id=primary.id)
                           .execution_options(synchronize_session=False))
    if dropped_ids:
        db.session.execute(delete(Phone).where(Phone.id.in_(dropped_ids))
                           .execution_options(synchronize_session=False))
    for phone in plan.phones_moved + plan.phones_dropped:
        db.session.expunge(phone)
    db.session.expire(primary, ["phones"])

    primary.groups.extend(plan.groups_added)
    # Consent: both histories on the primary, the newest decision per purpose wins.
    from blueprints.customers import consent
    snapshot["consents_moved"] = consent.merge_into(primary.id, secondary_ids)
    db.session.expire(primary, ["consents"])
    if plan.loyalty_member:
        enrolled = [c.loyalty_enrolled_at for c in [primary, *secondaries]
                    if c.loyalty_member and c.loyalty_enrolled_at is not None]
        primary.loyalty_member = True
        primary.loyalty_enrolled_at = min(enrolled) if enrolled else (primary.loyalty_enrolled_at or utcnow())

    # Points: the primary holds the sum; every ledger equals its cached balance.
    primary.points_balance = total
    now = utcnow()
    for secondary in secondaries:
        secondary.points_balance = 0
        secondary.loyalty_member = False
        secondary.archived = True
        secondary.archived_at = secondary.archived_at or now
        secondary.merged_into_id = primary.id
        secondary.visit_count = 0
        secondary.total_spent_cents = 0
        secondary.first_visit_at = None
        secondary.last_visit_at = None
    db.session.flush()
    ledger = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                               .where(PointsEntry.customer_id == primary.id))
    reconcile = None
    if ledger != total:
        # Balances set without ledger rows (older data): one "merge" row reconciles.
        reconcile = PointsEntry(customer_id=primary.id, delta=total - ledger, kind="merge", employee_id=employee_id)
        db.session.add(reconcile)

    _recompute_sales_summary(primary)
    primary.refresh_keys()
    primary.updated_at = now  # a version bump even when no field changed
    db.session.flush()

    from core import search_index  # the phones moved by statement: the hook did not see them
    search_index.reindex(db.session.connection(), ids)
    kept = undo_merge.keep(snapshot, plan, reconcile, employee_id)
    record("customers_merged", "customer", primary.id, count=len(secondaries), employee_id=employee_id,
           details={"secondary_ids": secondary_ids, "phones_moved": len(moved_ids),
                    "sales_moved": plan.sales_count, "snapshot_id": kept.id})
    db.session.flush()
    return primary


def _recompute_sales_summary(customer: Customer) -> None:
    """Visits, total spent, first and last visit from the customer's completed
    sales (the sales room's rule: refunded and voided sales do not count)."""
    completed = and_(Sale.customer_id == customer.id, Sale.status == "completed")
    count, spent, first, last = db.session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.total_cents), 0),
               func.min(Sale.created_at), func.max(Sale.created_at)).where(completed)).one()
    customer.visit_count = count
    customer.total_spent_cents = spent
    customer.first_visit_at = first
    customer.last_visit_at = last
