"""Undoing a merge for UNDO_DAYS days (issue 15).

merging.merge_customers() keeps a snapshot of what it changes (take() before,
keep() after): the primary's fields before and after, and for each secondary
its state and the ids of what moved (sales, invoices, rewards, points
entries, phones; the phones dropped as duplicates in full). undo() puts it back:

- each secondary comes back as it was: unarchived (unless it was archived
  before), with its own sales, invoices, rewards, points entries and phones;
  its groups, comments and contact values were never taken from it;
- the primary gets back its own (empty) values in the fields the merge filled,
  except a field changed since, which stays and is listed; what happened to
  the primary since (a sale, points, a new phone) stays with the primary;
- points spent since out of a secondary's balance cannot come back: the
  secondary gets back what is left, and the undo says how many did not.

Refused when a later merge involves the same records (undo it first). The
snapshot holds personal data: it is deleted by the undo, by the hourly sweep
once expired, and at once when either customer is deleted (forget_customers).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update

from core.audit import record
from blueprints.customers.service import CustomerError
from extensions import db
from models import (
    Customer,
    CustomerPurchase,
    ImportChange,
    Invoice,
    MergeSnapshot,
    MergeSnapshotCustomer,
    Phone,
    PointsEntry,
    Reward,
    Sale,
    ShopSettings,
    customer_groups,
)
from models.base import utcnow
from core.phones import display_form


class UndoMergeError(CustomerError):
    """The undo is refused; nothing was written."""


def undo_days() -> int:
    return int(current_app.config.get("UNDO_DAYS", 30))


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _typed(column: str, value):
    kind = Customer.__table__.c[column].type.python_type
    if value is not None and kind in (date, datetime):
        return kind.fromisoformat(value)
    return value


def _ids(model, customer_id: int) -> list[int]:
    return list(db.session.scalars(select(model.id).where(model.customer_id == customer_id)))


def _ledger(customer_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                             .where(PointsEntry.customer_id == customer_id))


# --- the snapshot, taken by the merge ----------------------------------------------

def filled_columns(plan) -> list[str]:
    from blueprints.customers.merge_plan import FIELD_RULES, HIDDEN_FILLED
    return [c for rule in FIELD_RULES for c in rule.columns] + list(HIDDEN_FILLED)


def take(plan) -> dict:
    """Before the merge writes: what it is about to change."""
    primary = plan.primary
    columns = filled_columns(plan)
    return {
        "primary": {"id": primary.id, "before": {c: _plain(getattr(primary, c)) for c in columns},
                    "loyalty_member": primary.loyalty_member,
                    "loyalty_enrolled_at": _plain(primary.loyalty_enrolled_at),
                    "balance": primary.points_balance, "ledger": _ledger(primary.id)},
        "secondaries": [{
            "id": s.id, "archived": s.archived, "archived_at": _plain(s.archived_at),
            "loyalty_member": s.loyalty_member, "balance": s.points_balance, "ledger": _ledger(s.id),
            "sales": _ids(Sale, s.id), "invoices": _ids(Invoice, s.id), "rewards": _ids(Reward, s.id),
            "points": _ids(PointsEntry, s.id)} for s in plan.secondaries],
        "phones_moved": [{"id": p.id, "from": p.customer_id} for p in plan.phones_moved],
        "phones_dropped": [{"customer_id": p.customer_id, "raw": p.raw, "e164": p.e164, "digits": p.digits,
                            "label": p.label, "linked": p.linked, "unlinked_at": _plain(p.unlinked_at),
                            "created_at": _plain(p.created_at)} for p in plan.phones_dropped],
        "groups_added": [g.id for g in plan.groups_added],
    }


def keep(data: dict, plan, reconcile: PointsEntry | None, employee_id: int | None) -> MergeSnapshot:
    """After the merge wrote (flushed): store the snapshot for the window."""
    primary = plan.primary
    data["primary"]["after"] = {c: _plain(getattr(primary, c)) for c in filled_columns(plan)}
    data["reconcile_entry"] = reconcile.id if reconcile is not None else None
    now = utcnow()
    snapshot = MergeSnapshot(primary_id=primary.id, employee_id=employee_id, created_at=now,
                             expires_at=now + timedelta(days=undo_days()), data=data)
    db.session.add(snapshot)
    db.session.flush()
    db.session.execute(insert(MergeSnapshotCustomer.__table__),
                       [{"snapshot_id": snapshot.id, "customer_id": cid} for cid in plan.all_ids])
    return snapshot


# --- what the profile and the audit trail offer -----------------------------------------

def live_snapshots(customer_id: int, now: datetime | None = None) -> list[MergeSnapshot]:
    """The merges about this customer (as primary or secondary) still undoable, latest first."""
    return list(db.session.scalars(select(MergeSnapshot).join(
        MergeSnapshotCustomer, MergeSnapshotCustomer.snapshot_id == MergeSnapshot.id).where(
        MergeSnapshotCustomer.customer_id == customer_id, MergeSnapshot.expires_at > (now or utcnow()))
        .order_by(MergeSnapshot.id.desc())))


def get_live(snapshot_id: int, now: datetime | None = None) -> MergeSnapshot | None:
    snapshot = db.session.get(MergeSnapshot, snapshot_id)
    if snapshot is None or snapshot.expires_at <= (now or utcnow()):
        return None
    return snapshot


def secondary_ids(snapshot: MergeSnapshot) -> list[int]:
    return [s["id"] for s in snapshot.data["secondaries"]]


def check(snapshot: MergeSnapshot) -> tuple[Customer, list[Customer]]:
    """The records, or UndoMergeError when the undo cannot be done now."""
    ids = secondary_ids(snapshot)
    later = db.session.scalar(select(func.count()).select_from(MergeSnapshotCustomer).where(
        MergeSnapshotCustomer.customer_id.in_([snapshot.primary_id, *ids]),
        MergeSnapshotCustomer.snapshot_id > snapshot.id))
    if later:
        raise UndoMergeError(_("Un de ces clients a été fusionné de nouveau depuis : annulez d’abord "
                               "la fusion la plus récente."))
    stmt = select(Customer).where(Customer.id.in_([snapshot.primary_id, *ids]))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    found = {c.id: c for c in db.session.scalars(stmt)}
    primary = found.get(snapshot.primary_id)
    secondaries = [found.get(i) for i in ids]
    if primary is None or primary.anonymised or any(s is None or s.anonymised for s in secondaries):
        raise UndoMergeError(_("Un de ces clients a été supprimé : la fusion ne peut plus être annulée."))
    if primary.merged_into_id is not None:
        raise UndoMergeError(_("Ce client a depuis été fusionné dans un autre : annulez d’abord cette fusion."))
    if any(s.merged_into_id != primary.id for s in secondaries):
        raise UndoMergeError(_("Un dossier secondaire a changé depuis la fusion : elle ne peut plus être "
                               "annulée."))
    return primary, secondaries


# --- the undo ---------------------------------------------------------------------------

@dataclass
class UndoResult:
    primary_id: int
    secondary_ids: list[int]
    fields_kept: list[str] = field(default_factory=list)  # field keys changed since: the primary keeps them
    phones_not_returned: int = 0
    points_not_returned: int = 0


def undo(snapshot_id: int, *, employee_id: int | None) -> UndoResult:
    """Undo a merge (the caller commits)."""
    from blueprints.customers.merge_plan import FIELD_RULES, HIDDEN_FILLED
    from blueprints.customers.merging import _recompute_sales_summary
    snapshot = get_live(snapshot_id)
    if snapshot is None:
        raise LookupError("no undoable merge")
    primary, secondaries = check(snapshot)
    data = snapshot.data
    # The first write claims the snapshot: two undos at once, the second finds
    # nothing (PostgreSQL: it waits on the row; SQLite: one writer at a time).
    db.session.expunge(snapshot)
    db.session.execute(delete(MergeSnapshotCustomer).where(MergeSnapshotCustomer.snapshot_id == snapshot_id))
    if db.session.execute(delete(MergeSnapshot).where(MergeSnapshot.id == snapshot_id)
                          .execution_options(synchronize_session=False)).rowcount != 1:
        raise LookupError("merge already undone")
    result = UndoResult(primary.id, [s.id for s in secondaries])
    by_id = {s.id: s for s in secondaries}

    # History: what belonged to each secondary at the merge and is still the primary's goes back.
    for entry in data["secondaries"]:
        for model, key in ((Sale, "sales"), (Invoice, "invoices"), (Reward, "rewards"), (PointsEntry, "points")):
            ids = entry[key]
            for start in range(0, len(ids), 500):
                db.session.execute(update(model).where(model.id.in_(ids[start:start + 500]),
                                                       model.customer_id == primary.id)
                                   .values(customer_id=entry["id"]).execution_options(synchronize_session=False))
        sales = entry["sales"]
        for start in range(0, len(sales), 500):
            db.session.execute(update(CustomerPurchase).where(CustomerPurchase.sale_id.in_(sales[start:start + 500]),
                                                              CustomerPurchase.customer_id == primary.id)
                               .values(customer_id=entry["id"]).execution_options(synchronize_session=False))

    # Phones: the moved ones go back; the duplicates dropped are written again.
    for moved in data["phones_moved"]:
        phone = db.session.get(Phone, moved["id"])
        if phone is None or phone.customer_id != primary.id:
            result.phones_not_returned += 1
            continue
        db.session.execute(update(Phone).where(Phone.id == moved["id"]).values(customer_id=moved["from"])
                           .execution_options(synchronize_session=False))
    region = ShopSettings.get().phone_region
    for dropped in data["phones_dropped"]:
        db.session.add(Phone(customer_id=dropped["customer_id"], raw=dropped["raw"], e164=dropped["e164"],
                             display=display_form(dropped["e164"], dropped["raw"], region)[:40],
                             digits=dropped["digits"], label=dropped["label"], linked=dropped["linked"],
                             unlinked_at=_typed_phone(dropped["unlinked_at"]),
                             created_at=_typed_phone(dropped["created_at"])))
    from blueprints.customers import consent  # each gets back their own decisions
    consent.unmerge(primary.id, data.get("consents_moved", {}))
    if data["groups_added"]:
        db.session.execute(delete(customer_groups).where(customer_groups.c.customer_id == primary.id,
                                                         customer_groups.c.group_id.in_(data["groups_added"])))
    db.session.flush()
    for customer in [primary, *secondaries]:
        db.session.expire(customer)

    # The primary's fields: back to its own where the merge's value is still there.
    before, after = data["primary"]["before"], data["primary"]["after"]
    for rule in FIELD_RULES:
        if not any(before[c] != after[c] for c in rule.columns):
            continue  # the merge did not fill it
        if all(_plain(getattr(primary, c)) == after[c] for c in rule.columns):
            for column in rule.columns:
                setattr(primary, column, _typed(column, before[column]))
        else:
            result.fields_kept.append(rule.key)
    for column in HIDDEN_FILLED:
        if before[column] != after[column] and getattr(primary, column) == after[column]:
            setattr(primary, column, before[column])

    # The secondaries' state.
    for entry in data["secondaries"]:
        secondary = by_id[entry["id"]]
        secondary.merged_into_id = None
        secondary.archived = entry["archived"]
        secondary.archived_at = _typed("archived_at", entry["archived_at"])
        secondary.loyalty_member = entry["loyalty_member"]
    db.session.flush()

    _restore_points(data, primary, secondaries, result, employee_id)
    if not data["primary"]["loyalty_member"] and primary.points_balance == 0 and not db.session.scalar(
            select(func.count()).select_from(PointsEntry).where(PointsEntry.customer_id == primary.id)):
        primary.loyalty_member = False
        primary.loyalty_enrolled_at = _typed("loyalty_enrolled_at", data["primary"]["loyalty_enrolled_at"])
    for customer in [primary, *secondaries]:
        _recompute_sales_summary(customer)
        customer.refresh_keys()
    primary.updated_at = utcnow()
    db.session.flush()

    from core import search_index
    search_index.reindex(db.session.connection(), [primary.id, *result.secondary_ids])
    record("merge_undone", "customer", primary.id, count=len(secondaries), employee_id=employee_id,
           details={"snapshot_id": snapshot.id, "secondary_ids": result.secondary_ids,
                    "fields_kept": result.fields_kept, "phones_not_returned": result.phones_not_returned,
                    "points_not_returned": result.points_not_returned})
    db.session.flush()
    return result


def _typed_phone(value):
    return datetime.fromisoformat(value) if value else None


def _restore_points(data: dict, primary: Customer, secondaries: list[Customer], result: UndoResult,
                    employee_id: int | None) -> None:
    """Every cached balance equal to its ledger again, none below zero."""
    reconcile_id = data.get("reconcile_entry")
    if reconcile_id is not None:
        db.session.execute(delete(PointsEntry).where(PointsEntry.id == reconcile_id,
                                                     PointsEntry.customer_id == primary.id))
    # Balances that older data set without ledger rows: as they were, with one row each.
    gaps = {data["primary"]["id"]: data["primary"]["balance"] - data["primary"]["ledger"]}
    gaps.update({s["id"]: s["balance"] - s["ledger"] for s in data["secondaries"]})
    for customer_id, gap in gaps.items():
        if gap:
            db.session.add(PointsEntry(customer_id=customer_id, delta=gap, kind="merge", employee_id=employee_id))
    db.session.flush()
    ledgers = {c.id: _ledger(c.id) for c in [primary, *secondaries]}
    # Points the primary spent since, out of what a secondary brought: they stay spent.
    shortfall = -ledgers[primary.id] if ledgers[primary.id] < 0 else 0
    result.points_not_returned = shortfall
    for secondary in secondaries:
        if shortfall <= 0:
            break
        taken = min(shortfall, max(0, ledgers[secondary.id]))
        if taken:
            db.session.add(PointsEntry(customer_id=secondary.id, delta=-taken, kind="merge", employee_id=employee_id))
            db.session.add(PointsEntry(customer_id=primary.id, delta=taken, kind="merge", employee_id=employee_id))
            ledgers[secondary.id] -= taken
            ledgers[primary.id] += taken
            shortfall -= taken
    for customer in [primary, *secondaries]:
        customer.points_balance = ledgers[customer.id]
    db.session.flush()


# --- the window's end -------------------------------------------------------------------

def forget_customers(customer_ids: list[int]) -> int:
    """A deletion ends the window at once: the snapshots about these customers
    go, and so do the previous values an import kept of them. The caller commits."""
    snapshot_ids = list(db.session.scalars(select(MergeSnapshotCustomer.snapshot_id).where(
        MergeSnapshotCustomer.customer_id.in_(customer_ids)).distinct()))
    if snapshot_ids:
        db.session.execute(delete(MergeSnapshotCustomer).where(MergeSnapshotCustomer.snapshot_id.in_(snapshot_ids)))
        db.session.execute(delete(MergeSnapshot).where(MergeSnapshot.id.in_(snapshot_ids))
                           .execution_options(synchronize_session=False))
    db.session.execute(delete(ImportChange).where(ImportChange.customer_id.in_(customer_ids))
                       .execution_options(synchronize_session=False))
    return len(snapshot_ids)


def sweep_expired(now: datetime | None = None) -> int:
    """Delete the snapshots whose window has passed (the hourly task)."""
    expired = list(db.session.scalars(select(MergeSnapshot.id).where(MergeSnapshot.expires_at <= (now or utcnow()))))
    if expired:
        db.session.execute(delete(MergeSnapshotCustomer).where(MergeSnapshotCustomer.snapshot_id.in_(expired)))
        db.session.execute(delete(MergeSnapshot).where(MergeSnapshot.id.in_(expired))
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return len(expired)
