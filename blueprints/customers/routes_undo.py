"""Undo for 30 days (issue 15): a merge, from the primary's profile or the
audit trail; an import, from its report. Rules in undo_merge.py and undo_import.py."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.customers import bp, undo_import, undo_merge
from blueprints.customers.merge_plan import FIELD_RULES
from core.changes import commit_or_refusal
from blueprints.customers.routes_import import _job_or_404
from extensions import db
from models import Customer, ShopSettings
from core.permissions import customer_view, requires

# --- a merge ----------------------------------------------------------------------


def _merge_page(snapshot, error: str | None = None, status: int = 200):
    region = ShopSettings.get().phone_region
    ids = [snapshot.primary_id, *undo_merge.secondary_ids(snapshot)]
    found = {c.id: c for c in db.session.query(Customer).filter(Customer.id.in_(ids))}
    views = {i: customer_view(current_user, found[i], region) for i in ids if i in found}
    if error is None:
        try:
            undo_merge.check(snapshot)
        except undo_merge.UndoMergeError as refused:
            error = str(refused)
    return render_template("customers/merge_undo.html", snapshot=snapshot, primary=views.get(snapshot.primary_id),
                           secondaries=[views[i] for i in ids[1:] if i in views], error=error), status


@bp.route("/merges/<int:snapshot_id>/undo")
@requires("customers.merge")
def merge_undo_form(snapshot_id: int):
    """What the undo will do, and the button (from the profile or the audit trail)."""
    snapshot = undo_merge.get_live(snapshot_id)
    if snapshot is None:
        return render_template("customers/merge_undo.html", snapshot=None, primary=None, secondaries=[],
                               error=_("Cette fusion ne peut plus être annulée : elle a déjà été annulée, "
                                       "son délai est passé, ou un des clients a été supprimé.")), 404
    return _merge_page(snapshot)


@bp.post("/merges/<int:snapshot_id>/undo")
@requires("customers.merge")
def merge_undo(snapshot_id: int):
    result, refused = commit_or_refusal(lambda: undo_merge.undo(snapshot_id, employee_id=current_user.id),
                                        undo_merge.UndoMergeError)
    if refused is not None:
        return _merge_page(undo_merge.get_live(snapshot_id), error=str(refused), status=422)
    flash(ngettext("Fusion annulée : %(num)s dossier secondaire est restauré.",
                   "Fusion annulée : %(num)s dossiers secondaires sont restaurés.", len(result.secondary_ids)),
          "success")
    labels = {rule.key: str(rule.label) for rule in FIELD_RULES}
    if result.fields_kept:
        flash(_("Modifié depuis la fusion, donc gardé sur ce client : %(fields)s.",
                fields=", ".join(labels.get(key, key) for key in result.fields_kept)), "info")
    if result.phones_not_returned:
        flash(ngettext("%(num)s numéro retiré de ce client depuis la fusion n’a pas pu être rendu.",
                       "%(num)s numéros retirés de ce client depuis la fusion n’ont pas pu être rendus.",
                       result.phones_not_returned), "info")
    if result.points_not_returned:
        flash(ngettext("%(num)s point dépensé depuis la fusion reste dépensé : il n’est pas rendu au dossier "
                       "secondaire.",
                       "%(num)s points dépensés depuis la fusion restent dépensés : ils ne sont pas rendus au "
                       "dossier secondaire.", result.points_not_returned), "info")
    return redirect(url_for("customers.profile", customer_id=result.primary_id), 303)


# --- an import --------------------------------------------------------------------

def _reason_label(code: str) -> str:
    from blueprints.customers.importing import TARGETS
    fixed = {"sale": _("une vente"), "invoice": _("une facture"), "points": _("des points"),
             "reward": _("une récompense"), "edited": _("modifié depuis"), "merged": _("fusionné depuis")}
    if code in fixed:
        return fixed[code]
    target = TARGETS.get(code)
    return _("%(field)s modifié depuis", field=target.label if target else code)


def import_undo_state(job) -> dict:
    """What the report shows of the undo: the button, its progress, or its result."""
    report = (job.undo_report or {}) if job.undo_status else {}
    return {"refusal": undo_import.refusal(job) if job.undo_status is None and job.status == "done" else None,
            "deadline": undo_import.deadline(job), "status": job.undo_status, "report": report,
            "reason_label": _reason_label}


@bp.context_processor
def _undo_helpers():
    return {"import_undo_state": import_undo_state}


@bp.post("/import/<int:job_id>/undo")
@requires("customers.import")
def import_undo(job_id: int):
    job = _job_or_404(job_id)
    try:
        undo_import.request_undo(job, current_user.id)
        db.session.commit()
    except undo_import.UndoRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("customers.import_job", job_id=job_id), 303)
    from blueprints.customers.tasks import run_import_undo_task
    try:
        run_import_undo_task(job_id)  # on the queue; in tests, now
    except Exception:  # noqa: BLE001 - immediate mode only: the recovery runs it again
        current_app.logger.exception("undo of import %s failed", job_id)
        db.session.rollback()
    return redirect(url_for("customers.import_job", job_id=job_id), 303)
