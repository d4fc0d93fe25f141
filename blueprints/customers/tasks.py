"""The job queue's tasks (Huey). A route enqueues and returns; `flask jobs`
(started by run.sh beside gunicorn) runs them. Each task is idempotent: run
twice, or resumed after a dead worker, it gives the same result."""
from huey import crontab

from extensions import huey, with_app_context


@huey.task()
@with_app_context
def run_import_task(job_id: int) -> None:
    from blueprints.customers.importing import jobs
    jobs.run_import(job_id)


@huey.task()
@with_app_context
def run_import_undo_task(job_id: int) -> None:
    from blueprints.customers import undo_import
    undo_import.run_undo(job_id)


@huey.on_startup()
@with_app_context
def recover_jobs() -> None:
    """A consumer starting after a crash picks up what the dead one left."""
    from blueprints.customers.importing import recovery
    for job_id in recovery.recover():
        run_import_task(job_id)


@huey.periodic_task(crontab(minute="*"))
@with_app_context
def every_minute() -> None:
    from blueprints.customers.importing import recovery
    for job_id in recovery.recover():
        run_import_task(job_id)
    from blueprints.customers import undo_import
    for job_id in undo_import.recover_undos():
        run_import_undo_task(job_id)


@huey.periodic_task(crontab(minute="17"))
@with_app_context
def every_hour() -> None:
    from blueprints.customers.importing import recovery
    recovery.sweep_uploads()


@huey.periodic_task(crontab(minute="23"))
@with_app_context
def sweep_undo_windows() -> None:
    """Undo snapshots (merges) and previous values (imports) past UNDO_DAYS: personal data goes."""
    from blueprints.customers import undo_import, undo_merge
    undo_merge.sweep_expired()
    undo_import.sweep_expired()


@huey.periodic_task(crontab(hour="3", minute="41"))
@with_app_context
def anonymise_inactive_customers() -> None:
    """Retention (issue 15): on a month's first run, customers with no activity
    for the shop's N years are anonymised; the other days find nobody due.
    Daily rather than monthly, so a consumer down on the 1st catches up."""
    from blueprints.customers import anonymising
    anonymising.run()
