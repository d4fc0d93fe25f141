"""Consent per purpose, with proof (issue 15): the rules.

- Three purposes: email marketing and SMS marketing, and e-receipts by email
  (a service message, seed 002's "Autoriser les notifications par courriel",
  never counted as marketing).
- Each is yes / no / unknown. Nothing is ever pre-ticked: a customer with no
  decision is "unknown", and only "yes" lets anything pick them for contact
  (directory filters, group filters, the export of a campaign list).
- Every decision, withdrawal included, is a history row with when, how (at
  the counter or on the customer's request, by which employee; by import, from
  which file and column) and the text shown. The current state is the newest
  decision per purpose (refresh_current), so a merge that brings two
  histories together, or an undo that parts them, only has to move the rows.
- Who may record a change: who may edit that purpose's channel (the email
  address for email purposes, the phone for SMS), customers.<field>.edit.
- Deleting a customer removes their history and states (forget).

The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from core.audit import record
from blueprints.customers.service import CustomerError
from extensions import db
from models import Customer, Employee
from models.base import utcnow
from models.consent import METHODS, PURPOSES, STATES, ConsentEvent, CustomerConsent

MARKETING_PURPOSES = ("email_marketing", "sms_marketing")
# The contact field a purpose writes to: its edit right records the consent.
CHANNEL = {"email_marketing": "email", "sms_marketing": "phone", "e_receipts": "email"}
PURPOSE_LABELS = {"email_marketing": _l("Marketing par courriel"), "sms_marketing": _l("Marketing par SMS"),
                  "e_receipts": _l("Autoriser les notifications par courriel")}
PURPOSE_HINTS = {"email_marketing": _l("Offres et nouveautés par courriel."),
                 "sms_marketing": _l("Offres et nouveautés par SMS."),
                 "e_receipts": _l("Reçus et messages de service, jamais de marketing.")}
STATE_LABELS = {"yes": _l("Oui"), "no": _l("Non"), "unknown": _l("Inconnu")}
METHOD_LABELS = {"counter": _l("Au comptoir"), "request": _l("À la demande du client"),
                 "import": _l("Import"), "legacy": _l("Repris de l’ancienne case à cocher")}
# What the employee reads out at the counter (kept with the decision, in the
# language it was shown in).
QUESTIONS = {
    "email_marketing": _l("Acceptez-vous de recevoir nos offres et nouveautés par courriel ? "
                          "Vous pourrez vous désinscrire à tout moment."),
    "sms_marketing": _l("Acceptez-vous de recevoir nos offres et nouveautés par SMS ? "
                        "Vous pourrez vous désinscrire à tout moment."),
    "e_receipts": _l("Souhaitez-vous recevoir vos reçus et les messages de service par courriel ?"),
}
SOURCE_FILE_LIMIT = 255
SOURCE_COLUMN_LIMIT = 120
_CHUNK = 500


class ConsentError(CustomerError):
    """The decision is refused; nothing was written."""


def question(purpose: str) -> str:
    return str(QUESTIONS[purpose])


# --- recording ------------------------------------------------------------------

def record_consent(customer: Customer, purpose: str, state: str, *, method: str, employee_id: int | None = None,
                   text_shown: str | None = None, source_file: str | None = None,
                   source_column: str | None = None, at: datetime | None = None) -> ConsentEvent:
    """One decision for one purpose, with its proof; the current state follows.
    At the counter and on request an employee records it; an import names its
    file and column (record_imported for many rows at once)."""
    if purpose not in PURPOSES:
        raise ConsentError(_("Choisissez une finalité de la liste."), "purpose")
    if state not in STATES:
        raise ConsentError(_("Choisissez Oui, Non ou Inconnu."), "state")
    if method not in METHODS:
        raise ConsentError(_("Choisissez comment le choix a été exprimé."), "method")
    if customer.anonymised:
        raise ConsentError(_("Ce client a été supprimé."))
    if method in ("counter", "request") and employee_id is None:
        raise ConsentError(_("Un choix recueilli au comptoir ou à la demande du client est enregistré par un employé."))
    if method == "import" and not (source_file and source_column):
        raise ConsentError(_("Un choix importé garde le nom du fichier et la colonne."))
    event = ConsentEvent(customer_id=customer.id, purpose=purpose, state=state, method=method,
                         recorded_at=at or utcnow(), employee_id=employee_id,
                         source_file=(source_file or None) and source_file[:SOURCE_FILE_LIMIT],
                         source_column=(source_column or None) and source_column[:SOURCE_COLUMN_LIMIT],
                         text_shown=text_shown)
    db.session.add(event)
    db.session.flush()
    refresh_current([customer.id])
    db.session.expire(customer, ["consents"])
    if method != "import":  # an import writes one audit entry for the whole file
        record("consent_recorded", "customer", customer.id, employee_id=employee_id,
               details={"purpose": purpose, "state": state, "method": method})
    return event


def record_imported(connection, events: list[dict], *, job_id: int | None, source_file: str,
                    at: datetime | None = None) -> None:
    """Many imported decisions at once: dicts of customer_id, purpose, state,
    source_column, text_shown (the cell). Bulk, in the import's transaction."""
    if not events:
        return
    # Local: the importing package imports this module.
    from blueprints.customers.importing.bulk import bulk_insert
    now = at or utcnow()
    rows = [{"customer_id": e["customer_id"], "purpose": e["purpose"], "state": e["state"], "method": "import",
             "recorded_at": now, "employee_id": None, "source_file": source_file[:SOURCE_FILE_LIMIT],
             "source_column": e["source_column"][:SOURCE_COLUMN_LIMIT], "import_job_id": job_id,
             "text_shown": e.get("text_shown")} for e in events]
    bulk_insert(connection, ConsentEvent.__table__, rows)
    refresh_current(sorted({e["customer_id"] for e in events}), connection)


def refresh_current(customer_ids: list[int], connection=None) -> None:
    """The current state of these customers: the newest decision per purpose
    (by time, then by order of recording)."""
    connection = connection or db.session.connection()
    for start in range(0, len(customer_ids), _CHUNK):
        ids = customer_ids[start:start + _CHUNK]
        connection.execute(delete(CustomerConsent).where(CustomerConsent.customer_id.in_(ids)))
        ranked = (select(ConsentEvent.customer_id, ConsentEvent.purpose, ConsentEvent.state,
                         ConsentEvent.recorded_at, ConsentEvent.id,
                         func.row_number().over(partition_by=(ConsentEvent.customer_id, ConsentEvent.purpose),
                                                order_by=(ConsentEvent.recorded_at.desc(),
                                                          ConsentEvent.id.desc())).label("rank"))
                  .where(ConsentEvent.customer_id.in_(ids)).subquery())
        connection.execute(insert(CustomerConsent).from_select(
            ["customer_id", "purpose", "state", "changed_at", "event_id"],
            select(ranked.c.customer_id, ranked.c.purpose, ranked.c.state, ranked.c.recorded_at, ranked.c.id)
            .where(ranked.c.rank == 1)))


# --- reading --------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    purpose: str
    state: str
    changed_at: datetime | None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def purpose_label(self) -> str:
        return str(PURPOSE_LABELS[self.purpose])


def current_states(customer: Customer) -> list[State]:
    """Every purpose, in order, "unknown" where nothing was decided."""
    found = {c.purpose: c for c in customer.consents}
    return [State(p, found[p].state, found[p].changed_at) if p in found else State(p, "unknown", None)
            for p in PURPOSES]


def state_of(customer, purpose: str) -> str:
    """yes / no / unknown for a Customer or anything with `consents` rows."""
    return next((c.state for c in customer.consents if c.purpose == purpose), "unknown")


def is_subscribed(customer) -> bool:
    """Said yes to a marketing purpose (seed 004's "abonné")."""
    return any(c.purpose in MARKETING_PURPOSES and c.state == "yes" for c in customer.consents)


@dataclass(frozen=True)
class HistoryEntry:
    event: ConsentEvent
    employee_name: str | None


def history(customer_id: int, limit: int = 200) -> list[HistoryEntry]:
    """The decisions, newest first, with the employee who recorded each."""
    rows = db.session.execute(
        select(ConsentEvent, Employee.name).outerjoin(Employee, Employee.id == ConsentEvent.employee_id)
        .where(ConsentEvent.customer_id == customer_id)
        .order_by(ConsentEvent.recorded_at.desc(), ConsentEvent.id.desc()).limit(limit)).all()
    return [HistoryEntry(event, name) for event, name in rows]


# --- who may be contacted -------------------------------------------------------

def condition(purpose: str, state: str = "yes"):
    """SQL condition on Customer: their current state for the purpose is `state`
    ("unknown": no decision, or one that reset it)."""
    decided = select(CustomerConsent.customer_id).where(CustomerConsent.purpose == purpose)
    if state == "unknown":
        return Customer.id.not_in(decided.where(CustomerConsent.state.in_(("yes", "no"))))
    return Customer.id.in_(decided.where(CustomerConsent.state == state))


# --- deletion, merge and its undo -------------------------------------------------

def forget(customer_ids: list[int]) -> None:
    """A deleted customer's consent: nothing of it stays."""
    db.session.execute(delete(CustomerConsent).where(CustomerConsent.customer_id.in_(customer_ids))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(ConsentEvent).where(ConsentEvent.customer_id.in_(customer_ids))
                       .execution_options(synchronize_session=False))


def event_ids(customer_id: int) -> list[int]:
    return list(db.session.scalars(select(ConsentEvent.id).where(ConsentEvent.customer_id == customer_id)))


def move(event_ids_: list[int], to_customer_id: int) -> None:
    """Move history rows to another customer (a merge, or its undo); the
    caller then refresh_current()s everyone involved."""
    if event_ids_:
        db.session.execute(update(ConsentEvent).where(ConsentEvent.id.in_(event_ids_))
                           .values(customer_id=to_customer_id).execution_options(synchronize_session=False))


def merge_into(primary_id: int, secondary_ids: list[int]) -> dict[int, list[int]]:
    """The secondaries' decisions join the primary's history, whose current
    state becomes the newest decision per purpose among them all. Returns
    {secondary id: its event ids} for the undo."""
    moved = {secondary_id: event_ids(secondary_id) for secondary_id in secondary_ids}
    for ids in moved.values():
        move(ids, primary_id)
    refresh_current([primary_id, *secondary_ids])
    return moved


def unmerge(primary_id: int, moved: dict) -> None:
    """Give each secondary back its own decisions; what was recorded on the
    primary since the merge stays with the primary."""
    for secondary_id, ids in moved.items():
        still_there = list(db.session.scalars(select(ConsentEvent.id).where(
            ConsentEvent.id.in_(ids), ConsentEvent.customer_id == primary_id)))
        move(still_there, int(secondary_id))
    refresh_current([primary_id, *(int(key) for key in moved)])


def undo_import(job_id: int, customer_ids: list[int]) -> None:
    """Remove what an import recorded for these (updated) customers: each goes
    back to their newest remaining decision, so one made since the import stays."""
    for start in range(0, len(customer_ids), _CHUNK):
        ids = customer_ids[start:start + _CHUNK]
        db.session.execute(delete(ConsentEvent).where(ConsentEvent.import_job_id == job_id,
                                                      ConsentEvent.customer_id.in_(ids))
                           .execution_options(synchronize_session=False))
    refresh_current(sorted(customer_ids))

