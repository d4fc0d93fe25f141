"""Importing customers from CSV: upload, mapping and preview, progress, report,
cancel and retry. Rules in importing/; the run itself on the job queue (blueprints/customers/tasks.py)."""
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.customers import bp, importing
from blueprints.customers.export_cells import csv_lines
from extensions import db
from core.htmx import render_htmx
from models import ImportJob, ShopSettings
from models.imports import RUNNING
from core.permissions import requires


def _job_or_404(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None or job.employee_id != current_user.id:
        abort(404)
    return job


@bp.route("/import")
@requires("customers.import")
def import_upload():
    return render_template("customers/import.html", error=None,
                           max_mb=importing.MAX_BYTES // (1024 * 1024))


@bp.post("/import")
@requires("customers.import")
def import_start():
    """Check the file, keep it, then the mapping page."""
    def refuse(message: str):
        return render_template("customers/import.html", error=message,
                               max_mb=importing.MAX_BYTES // (1024 * 1024)), 422

    length = request.content_length or 0
    if length > current_app.config.get("MAX_CONTENT_LENGTH", length + 1):
        abort(413)
    if length > importing.MAX_BYTES + 64 * 1024:
        return refuse(_("Le fichier dépasse %(size)s Mo. Découpez-le en plusieurs fichiers.",
                        size=importing.MAX_BYTES // (1024 * 1024)))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return refuse(_("Choisissez un fichier CSV."))
    try:
        job = importing.start_upload(upload.read(importing.MAX_BYTES + 1), employee=current_user,
                                     filename=_plain_name(upload.filename))
        db.session.commit()
    except importing.ImportRefused as refused:
        db.session.rollback()
        return refuse(str(refused))
    return redirect(url_for("customers.import_job", job_id=job.id), 303)


def _plain_name(filename: str) -> str:
    """The name without a path or control characters (a browser may send either)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:255]


def _options(settings: dict, source) -> dict:
    """Mapping and choices from the request, falling back on what was saved."""
    targets = set(importing.TARGETS)
    mapping = []
    for index, saved in enumerate(settings["mapping"]):
        value = source.get(f"map-{index}", saved)
        mapping.append(value if value in targets else "")
    duplicates = source.get("duplicates", settings.get("duplicates", "skip"))
    if duplicates not in importing.DUPLICATE_CHOICES:
        duplicates = "skip"
    if "duplicates" in source:  # a submitted form: an unticked box sends nothing
        valid_only = source.get("valid_only") == "1"
    else:
        valid_only = bool(settings.get("valid_only"))
    return {"mapping": mapping, "duplicates": duplicates, "valid_only": valid_only}


def _mapping_context(job: ImportJob, settings: dict, options: dict, errors=None) -> dict:
    allowed = importing.allowed_targets(current_user)
    rows = importing.preview(job.id, settings, options["mapping"], ShopSettings.get().phone_region)
    return {"job": job, "settings": settings, "options": options, "errors": errors or [],
            "allowed": allowed, "targets": importing.TARGETS, "rows": rows,
            "mapped": [t for t in dict.fromkeys(options["mapping"]) if t],
            "reason_text": importing.reason_text, "warning_text": importing.warning_text,
            "entry_reason": importing.entry_reason}


@bp.route("/import/<int:job_id>")
@requires("customers.import")
def import_job(job_id: int):
    """One import: its mapping and preview, its progress, or its report."""
    job = _shown_job(_job_or_404(job_id))
    context = {"job": job, "reason_text": importing.reason_text, "warning_text": importing.warning_text,
            "entry_reason": importing.entry_reason}
    if job.status in ("pending", "refused") and job.settings:
        context.update(_mapping_context(job, job.settings, _options(job.settings, request.args)))
    return render_template("customers/import_job.html", **context)


def _shown_job(job: ImportJob) -> ImportJob:
    """The job as the page shows it: one whose worker died is failed, one whose
    upload was swept is cancelled. Shown so, not written: a GET changes
    nothing (the queue's recovery writes it)."""
    dead = importing.is_dead(job)
    gone = job.status in ("pending", "refused") and not importing.has_upload(job.id)
    if dead or gone:
        job.report  # noqa: B018 - deferred: loaded before the job leaves the session
        db.session.expunge(job)
        if dead and job.status != "committing":
            job.status, job.failure = "failed", "worker_died"
        elif gone:
            job.status = "cancelled"
    return job


def _editable_job_or_404(job_id: int) -> ImportJob:
    job = _job_or_404(job_id)
    if job.status not in ("pending", "refused") or not job.settings or not importing.has_upload(job.id):
        abort(404)
    return job


@bp.route("/import/<int:job_id>/preview")
@requires("customers.import")
def import_preview(job_id: int):
    """The preview again, for another mapping (htmx, on every change)."""
    job = _editable_job_or_404(job_id)
    context = _mapping_context(job, job.settings, _options(job.settings, request.args))
    return render_htmx("customers/import_job.html", "customers/_import_preview.html", **context)


@bp.post("/import/<int:job_id>/run")
@requires("customers.import")
def import_run(job_id: int):
    job = _editable_job_or_404(job_id)
    options = _options(job.settings, request.form)
    errors = importing.check_mapping(options["mapping"], importing.allowed_targets(current_user))
    if errors:
        return render_template("customers/import_job.html",
                               **_mapping_context(job, job.settings, options, errors)), 422
    job.settings = {**job.settings, **options}
    importing.queue(job)
    db.session.commit()
    _enqueue(job.id)
    return redirect(url_for("customers.import_job", job_id=job.id), 303)


def _enqueue(job_id: int) -> None:
    """Hand the job to the queue's consumer (in tests: run it now). A failure
    to run is on the job row ("failed"), not an error page."""
    from blueprints.customers.tasks import run_import_task
    try:
        run_import_task(job_id)
    except Exception:  # noqa: BLE001 - immediate mode only: the job row says "failed"; the log says why
        current_app.logger.exception("customer import %s failed", job_id)
        db.session.rollback()


@bp.route("/import/<int:job_id>/status")
@requires("customers.import")
def import_status(job_id: int):
    """The progress fragment polled every second; the report once finished."""
    job = _shown_job(_job_or_404(job_id))
    return render_template("customers/_import_status.html", job=job, reason_text=importing.reason_text,
                           warning_text=importing.warning_text, entry_reason=importing.entry_reason)


@bp.post("/import/<int:job_id>/cancel")
@requires("customers.import")
def import_cancel(job_id: int):
    job = _job_or_404(job_id)
    if not importing.cancel(job):
        db.session.rollback()
        message = _("Trop tard pour annuler : les clients sont en cours d’enregistrement.")
        flash(message, "error")
        return redirect(url_for("customers.import_job", job_id=job.id), 303)
    db.session.commit()
    if job.status in RUNNING:
        flash(_("Annulation demandée : l’import s’arrête et rien n’est enregistré."), "info")
        return redirect(url_for("customers.import_job", job_id=job.id), 303)
    flash(_("Import annulé : le fichier a été supprimé."), "info")
    return redirect(url_for("customers.import_upload"), 303)


@bp.post("/import/<int:job_id>/retry")
@requires("customers.import")
def import_retry(job_id: int):
    job = _job_or_404(job_id)
    if importing.is_dead(job) and job.status == "checking":
        importing.recover()  # what the queue's recovery would write in a minute
        db.session.refresh(job)
    if not importing.retry(job):
        abort(409)
    db.session.commit()
    _enqueue(job.id)
    return redirect(url_for("customers.import_job", job_id=job.id), 303)


@bp.route("/import/<int:job_id>/report.csv")
@requires("customers.import")
def import_report(job_id: int):
    job = _job_or_404(job_id)
    if job.status not in ("done", "refused", "failed"):
        abort(404)
    rows = list(importing.report_rows(job))
    response = Response(stream_with_context(csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="import-{job.id}-rapport.csv"'
    return response
