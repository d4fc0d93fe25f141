"""Consent in CSV files (issue 15): what the export writes (each purpose's
state and date, a customer's whole history) and what an import's rows bring
(recorded with the file's name and each column as the proof). The rules are
consent.py's; this module only reads and writes rows."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from flask_babel import gettext as _

from blueprints.customers import consent
from extensions import db


def export_columns() -> list[tuple[str, Callable, str]]:
    """(title, cells(states, ids), kind) for each purpose's state (Oui / Non /
    Inconnu) and the date it was decided, a column for a batch of customers:
    `states` holds the current states, {purpose: {customer id: (state,
    changed_at)}} (export_batches.Batch.consents, or current_states)."""
    labels = {code: str(text) for code, text in consent.STATE_LABELS.items()}
    undecided = ("unknown", None)
    columns = []
    for purpose in consent.PURPOSES:
        title = str(consent.PURPOSE_LABELS[purpose])

        def state(states, ids, purpose=purpose):
            found = states.get(purpose, {}).get
            return [labels[found(customer_id, undecided)[0]] for customer_id in ids]

        def when(states, ids, purpose=purpose):
            found = states.get(purpose, {}).get
            return [found(customer_id, undecided)[1] for customer_id in ids]
        columns += [(title, state, "text"), (_("%(purpose)s – date", purpose=title), when, "datetime")]
    return columns


def current_states(customer) -> dict[str, dict[int, tuple]]:
    """One customer's current states (their CustomerConsent rows) as
    export_columns reads them."""
    return {c.purpose: {customer.id: (c.state, c.changed_at)} for c in customer.consents}


def history_rows(customer_id: int) -> Iterator[list]:
    """A customer's file (an access request): the Consentements section."""
    section = _("Consentements")
    yield [section, _("Finalité"), _("Choix"), _("Date"), _("Comment"), _("Employé"), _("Fichier"),
           _("Colonne"), _("Texte présenté")]
    for entry in consent.history(customer_id, limit=100_000):
        event = entry.event
        yield [section, str(consent.PURPOSE_LABELS[event.purpose]), str(consent.STATE_LABELS[event.state]),
               event.recorded_at, str(consent.METHOD_LABELS[event.method]), entry.employee_name,
               event.source_file, event.source_column, event.text_shown]


def record_imported_rows(connection, pairs: list[tuple[int, dict]], job_id: int | None, at) -> None:
    """The decisions of imported rows ((customer id, staged row) pairs), with
    the uploaded file's name as the proof."""
    events = [{**decision, "customer_id": customer_id}
              for customer_id, row in pairs for decision in row.get("consents", ())]
    if events:
        consent.record_imported(connection, events, job_id=job_id, source_file=source_file(job_id), at=at)


def source_file(job_id: int | None) -> str:
    """The uploaded file's name (the job's number when it was not kept)."""
    from models import ImportJob
    job = db.session.get(ImportJob, job_id) if job_id is not None else None
    name = ((job.settings or {}).get("filename") if job is not None else None) or ""
    return name or (f"import #{job_id}" if job_id is not None else "import")
