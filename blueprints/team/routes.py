"""The team room: employees, permission sets and their matrix, the audit trail.
Thin: read the request, call blueprints.team.service, render."""
import re
from datetime import date, timezone

from flask import (Response, abort, flash, make_response, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_babel import get_timezone, to_utc
from flask_login import current_user

from core.audit import record
from blueprints.team import bp, service
from blueprints.team.forms import CopySetForm, EmployeeForm, RenameSetForm
from blueprints.team.service import TeamError
from extensions import db
from core.htmx import is_htmx, render_htmx
from core.pagination import paginate
from core.permissions import CONTACT_FIELDS, capabilities_of, requires

AUDIT_PAGE_SIZE = 50


@bp.app_template_global("team_set_label")
def team_set_label(name: str) -> str:
    return service.set_label(name)


def _no_store(response):
    # A page showing a password must not be kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- employees -----------------------------------------------------------------

@bp.route("")
@requires("team.manage")
def index():
    return render_template("team/index.html", employees=service.list_employees())


def _employee_form(employee=None) -> EmployeeForm:
    form = EmployeeForm(obj=None)
    sets = service.list_sets()
    form.fill_choices(sets, service.list_locations())
    if request.method == "GET":
        if employee is not None:
            form.name.data = employee.name
            form.email.data = employee.email
            form.permission_set.data = employee.permission_set_id
            form.locations.data = [location.id for location in employee.locations]
            form.language.data = employee.language
        else:
            default = next((s.id for s, _count in sets if s.is_default), None)
            form.permission_set.data = default
            form.locations.data = [location_id for location_id, _name in form.locations.choices]
            form.language.data = "fr"
    return form


def _field_error(form, error: TeamError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [str(error.message)]
    else:
        flash(str(error.message), "error")


@bp.route("/employees/new", methods=["GET", "POST"])
@requires("team.manage")
def new_employee():
    form = _employee_form()
    if form.validate_on_submit():
        try:
            employee, password = service.create_employee(
                current_user, name=form.name.data, email=form.email.data,
                permission_set_id=form.permission_set.data, location_ids=form.locations.data,
                language=form.language.data)
            db.session.commit()
        except TeamError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            return _no_store(make_response(render_template(
                "team/password.html", employee=employee, password=password, created=True)))
    status = 422 if request.method == "POST" else 200
    return render_template("team/employee_form.html", form=form, employee=None), status


def _employee_or_404(employee_id: int):
    employee = service.get_employee(employee_id)
    if employee is None:
        abort(404)
    return employee


@bp.route("/employees/<int:employee_id>/edit", methods=["GET", "POST"])
@requires("team.manage")
def edit_employee(employee_id: int):
    employee = _employee_or_404(employee_id)
    form = _employee_form(employee)
    if form.validate_on_submit():
        try:
            changed = service.update_employee(
                current_user, employee, name=form.name.data, email=form.email.data,
                permission_set_id=form.permission_set.data, location_ids=form.locations.data,
                language=form.language.data)
            db.session.commit()
        except TeamError as error:
            db.session.rollback()
            employee = _employee_or_404(employee_id)
            _field_error(form, error)
        else:
            if changed:
                flash(_("Modifications enregistrées pour %(name)s.", name=employee.name), "success")
            return redirect(url_for("team.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("team/employee_form.html", form=form, employee=employee,
                           owner_count=service.active_owner_count()), status


def _employee_action(employee_id: int, action, success: str):
    employee = _employee_or_404(employee_id)
    try:
        action(current_user, employee)
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("team.edit_employee", employee_id=employee_id))
    flash(success % {"name": employee.name}, "success")
    return redirect(url_for("team.index"))


@bp.route("/employees/<int:employee_id>/deactivate", methods=["POST"])
@requires("team.manage")
def deactivate_employee(employee_id: int):
    return _employee_action(employee_id, service.deactivate_employee,
                            _("Compte désactivé : %(name)s ; ses sessions sont fermées."))


@bp.route("/employees/<int:employee_id>/reactivate", methods=["POST"])
@requires("team.manage")
def reactivate_employee(employee_id: int):
    return _employee_action(employee_id, service.reactivate_employee, _("Compte réactivé : %(name)s."))


@bp.route("/employees/<int:employee_id>/password", methods=["POST"])
@requires("team.manage")
def reset_password(employee_id: int):
    employee = _employee_or_404(employee_id)
    try:
        password = service.reset_password(current_user, employee)
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("team.edit_employee", employee_id=employee_id))
    return _no_store(make_response(render_template(
        "team/password.html", employee=employee, password=password, created=False)))


# --- permission sets -------------------------------------------------------------

def _copy_form() -> CopySetForm:
    form = CopySetForm()
    sets = service.list_sets()
    form.source.choices = [(permission_set.id, service.set_label(permission_set.name))
                           for permission_set, _count in sets]
    if request.method == "GET":
        form.source.data = next((s.id for s, _count in sets if s.is_default), None)
    return form


@bp.route("/sets")
@requires("team.manage")
def sets():
    return render_template("team/sets.html", sets=service.list_sets(), form=_copy_form())


@bp.route("/sets", methods=["POST"])
@requires("team.manage")
def create_set():
    form = _copy_form()
    if form.validate_on_submit():
        try:
            permission_set = service.copy_set(current_user, form.source.data, form.name.data)
            db.session.commit()
        except TeamError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("Ensemble « %(name)s » créé : réglez ses autorisations ci-dessous.",
                    name=permission_set.name), "success")
            return redirect(url_for("team.matrix", _anchor=f"set-{permission_set.id}"))
    return render_template("team/sets.html", sets=service.list_sets(), form=form), 422


def _set_or_404(set_id: int):
    permission_set = service.get_set(set_id)
    if permission_set is None:
        abort(404)
    return permission_set


@bp.route("/sets/<int:set_id>/edit", methods=["GET", "POST"])
@requires("team.manage")
def edit_set(set_id: int):
    permission_set = _set_or_404(set_id)
    form = RenameSetForm()
    if request.method == "GET":
        form.name.data = permission_set.name
    if form.validate_on_submit():
        try:
            service.rename_set(current_user, permission_set, form.name.data)
            db.session.commit()
        except TeamError as error:
            db.session.rollback()
            permission_set = _set_or_404(set_id)
            _field_error(form, error)
        else:
            flash(_("Ensemble renommé."), "success")
            return redirect(url_for("team.sets"))
    status = 422 if request.method == "POST" else 200
    return render_template("team/set_form.html", form=form, permission_set=permission_set,
                           count=service.employee_count(permission_set)), status


@bp.route("/sets/<int:set_id>/delete", methods=["POST"])
@requires("team.manage")
def delete_set(set_id: int):
    permission_set = _set_or_404(set_id)
    name = service.set_label(permission_set.name)
    try:
        service.delete_set(current_user, permission_set)
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("team.sets"))
    flash(_("Ensemble « %(name)s » supprimé.", name=name), "success")
    return redirect(url_for("team.sets"))


@bp.route("/sets/<int:set_id>/default", methods=["POST"])
@requires("team.manage")
def default_set(set_id: int):
    permission_set = _set_or_404(set_id)
    try:
        service.make_default_set(current_user, permission_set)
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("« %(name)s » est l’ensemble donné aux nouveaux employés.",
                name=service.set_label(permission_set.name)), "success")
    return redirect(url_for("team.sets"))


# --- the matrix ------------------------------------------------------------------

def _matrix_context(change=None, error=None) -> dict:
    columns = [{"set": permission_set, "count": count, "caps": capabilities_of(permission_set)}
               for permission_set, count in service.list_sets()]
    for column in columns:
        column["levels"] = {name: service.set_field_level(column["caps"], name) for name in CONTACT_FIELDS}
    messages = []
    changed = set()
    if change is not None:
        changed = set(change.also_granted) | set(change.also_removed) | {change.requested}
        what = service.capability_label(change.requested)
        set_name = service.set_label(change.permission_set.name)
        messages.append((_("« %(set)s » : %(capability)s accordé.", set=set_name, capability=what)
                         if change.granted else
                         _("« %(set)s » : %(capability)s retiré.", set=set_name, capability=what)))
        if change.also_granted:
            messages.append(_("Également accordé : %(list)s.",
                              list=", ".join(service.capability_label(c) for c in change.also_granted)))
        if change.also_removed:
            messages.append(_("Également retiré : %(list)s.",
                              list=", ".join(service.capability_label(c) for c in change.also_removed)))
    return {"columns": columns, "groups": service.matrix_groups(), "levels": service.LEVEL_LABELS,
            "messages": messages, "error": error, "changed": changed,
            "changed_set_id": change.permission_set.id if change is not None else None}


@bp.route("/permissions")
@requires("team.manage")
def matrix():
    return render_htmx("team/matrix.html", "team/_matrix.html", **_matrix_context())


def _matrix_answer(set_id: int, apply):
    permission_set = _set_or_404(set_id)
    try:
        change = apply(permission_set)
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        if not is_htmx():
            flash(str(error.message), "error")
            return redirect(url_for("team.matrix"))
        return render_htmx("team/matrix.html", "team/_matrix.html", status=422,
                           **_matrix_context(error=str(error.message)))
    if not is_htmx():
        context = _matrix_context(change)
        for message in context["messages"]:
            flash(message, "success")
        return redirect(url_for("team.matrix", _anchor=f"set-{set_id}"))
    return render_htmx("team/matrix.html", "team/_matrix.html", **_matrix_context(change))


@bp.route("/permissions/<int:set_id>/capability", methods=["POST"])
@requires("team.manage")
def toggle_capability(set_id: int):
    capability = request.form.get("capability", "")
    granted = request.form.get("granted") in ("1", "on", "true")
    return _matrix_answer(set_id, lambda permission_set: service.toggle_capability(
        current_user, permission_set, capability, granted))


@bp.route("/permissions/<int:set_id>/field/<field_name>", methods=["POST"])
@requires("team.manage")
def contact_level(set_id: int, field_name: str):
    if field_name not in CONTACT_FIELDS:
        abort(404)
    level = request.form.get("level", "")
    return _matrix_answer(set_id, lambda permission_set: service.set_contact_level(
        current_user, permission_set, field_name, level))


# --- the audit trail ---------------------------------------------------------------

def _audit_stmt(query):
    return service.audit_select(query, to_utc=to_utc)


@bp.route("/audit")
@requires("team.manage")
def audit():
    query = service.AuditQuery.from_args(request.args)
    page = paginate(_audit_stmt(query), query.page, AUDIT_PAGE_SIZE)
    query.page = page.page
    return render_htmx("team/audit.html", "team/_audit_results.html", query=query, page=page,
                       names=service.target_names(), employees=service.list_employees(),
                       actions=service.known_actions(), action_label=service.action_label,
                       describe=service.describe)


@bp.route("/audit/export")
@requires("team.manage")
def audit_export():
    query = service.AuditQuery.from_args(request.args)
    # The filters as tokens only: an action typed into the URL is not kept.
    action = query.action if re.fullmatch(r"[a-z_]{1,40}", query.action or "") else None
    record("audit_exported", details={"action": action, "employee": query.employee_id})
    db.session.commit()
    names = service.target_names()
    stmt = service.audit_rows_select(query, to_utc=to_utc).execution_options(yield_per=500)

    # Resolved now: while the response streams, the request's employee is gone.
    labels = {action: service.action_label(action) for action in service.known_actions()}
    zone = get_timezone()

    def local_time(moment):
        return moment.replace(tzinfo=timezone.utc).astimezone(zone)

    def generate():
        yield from service.audit_csv_rows(db.session.execute(stmt), names, local_time, labels)

    filename = f"journal-audit-{date.today().isoformat()}.csv"
    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
