"""Consent per purpose, with its proof (issue 15).

`consent_events` is the history: every decision (given, refused, withdrawn,
reset to unknown) with when, how, by whom or from which file and column, and
the text shown. `customer_consents` is the current state per customer and
purpose, kept by the service (blueprints/customers/consent.py) in the same
transaction as the event; no row means "unknown" (never pre-ticked).
Both hold nothing but ids, codes, dates and what the shop showed or imported;
a customer's deletion removes theirs (deletion.py).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow

PURPOSES = ("email_marketing", "sms_marketing", "e_receipts")
STATES = ("yes", "no", "unknown")
# counter: recorded at the counter by an employee; request: on the customer's
# request (a letter, an email, an unsubscribe link), recorded by an employee;
# import: read from a file; legacy: carried over from the single checkboxes
# that came before this history.
METHODS = ("counter", "request", "import", "legacy")


class ConsentEvent(db.Model):
    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_customer", "customer_id", "purpose", "recorded_at"),
                      Index("ix_consent_events_import_job", "import_job_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    # The proof of an import: the file's name and the column the value came from.
    source_file: Mapped[str | None] = mapped_column(String(255))
    source_column: Mapped[str | None] = mapped_column(String(120))
    import_job_id: Mapped[int | None]  # which import wrote it (its undo removes it)
    # The words the customer was shown (or, for an import, the cell as read).
    text_shown: Mapped[str | None] = mapped_column(Text)


class CustomerConsent(db.Model):
    __tablename__ = "customer_consents"
    # "Who said yes to email marketing": one index range, for filters and exports.
    # event_id's index: deleting a person's consent events sets it to NULL here,
    # and without it each deleted event read the whole table (an anonymisation
    # run over a million customers never ended).
    __table_args__ = (Index("ix_customer_consents_purpose_state", "purpose", "state", "customer_id"),
                      Index("ix_customer_consents_event", "event_id"))

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("consent_events.id", ondelete="SET NULL"))
