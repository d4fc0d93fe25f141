"""The team room's pages: employees, permission sets and their matrix, the audit trail.
Thin: read the request, call the team's services (employees, passwords,
permission_sets, permission_matrix, audit_log, audit_csv), commit once, render."""
import re
from datetime import date, timezone

from flask import (Response, abort, flash, make_response, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_babel import get_timezone, to_utc
from flask_login import current_user

from core.audit import record
from blueprints.team import audit_csv, audit_log, bp, employees, passwords, permission_matrix, permission_sets
from blueprints.team.errors import TeamError
from blueprints.team.forms import CopySetForm, EmployeeForm, RenameSetForm
from blueprints.team.owners import active_owner_count
from blueprints.team.permission_sets import set_label
from extensions import db
from core.htmx import is_htmx, render_htmx
from core.pagination import paginate
from core.permissions import CONTACT_FIELDS, capabilities_of, requires

AUDIT_PAGE_SIZE = 50


@bp.app_template_global("team_set_label")
def team_set_label(name: str) -> str:
    return set_label(name)


# --- what every page of the room does ----------------------------------------------

def _found(row):
    """The employee or set the URL names, or 404."""
    if row is None:
        abort(404)
    return row


def _attempt(work):
    """Run one team rule and commit, or roll back what it did when it refuses:
    (its result, None) or (None, the TeamError)."""
    try:
        result = work()
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        return None, error
    return result, None


def _refused(error: TeamError, endpoint: str, **values):
    """A refusal that belongs to no field: said in a message, on the page it came from."""
    flash(str(error.message), "error")
    return redirect(url_for(endpoint, **values))


def _field_error(form, error: TeamError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [str(error.message)]
    else:
        flash(str(error.message), "error")


def _form_status() -> int:
    """A form shown again after a POST was refused (422), or shown to be filled (200)."""
    return 422 if request.method == "POST" else 200


# --- employees -----------------------------------------------------------------

@bp.route("")
@requires("team.manage")
def index():
    return render_template("team/index.html", employees=employees.list_employees())


def _employee_form(employee=None) -> EmployeeForm:
    form = EmployeeForm(obj=None)
    sets = permission_sets.list_sets()
    form.fill_choices(sets, employees.list_locations())
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


def _employee_fields(form: EmployeeForm) -> dict:
    return {"name": form.name.data, "email": form.email.data, "permission_set_id": form.permission_set.data,
            "location_ids": form.locations.data, "language": form.language.data}


def _password_page(employee, password: str, created: bool):
    response = make_response(render_template("team/password.html", employee=employee, password=password,
                                             created=created))
    # A page showing a password must not be kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/employees/new", methods=["GET", "POST"])
@requires("team.manage")
def new_employee():
    form = _employee_form()
    if form.validate_on_submit():
        created, error = _attempt(lambda: employees.create_employee(current_user, **_employee_fields(form)))
        if error is None:
            employee, password = created
            return _password_page(employee, password, created=True)
        _field_error(form, error)
    return render_template("team/employee_form.html", form=form, employee=None), _form_status()


@bp.route("/employees/<int:employee_id>/edit", methods=["GET", "POST"])
@requires("team.manage")
def edit_employee(employee_id: int):
    employee = _found(employees.get_employee(employee_id))
    form = _employee_form(employee)
    if form.validate_on_submit():
        changed, error = _attempt(
            lambda: employees.update_employee(current_user, employee, **_employee_fields(form)))
        if error is None:
            if changed:
                flash(_("Modifications enregistrées pour %(name)s.", name=employee.name), "success")
            return redirect(url_for("team.index"))
        employee = _found(employees.get_employee(employee_id))
        _field_error(form, error)
    return render_template("team/employee_form.html", form=form, employee=employee,
                           owner_count=active_owner_count()), _form_status()


def _employee_action(employee_id: int, action, success: str):
    employee = _found(employees.get_employee(employee_id))
    _nothing, error = _attempt(lambda: action(current_user, employee))
    if error is not None:
        return _refused(error, "team.edit_employee", employee_id=employee_id)
    flash(success % {"name": employee.name}, "success")
    return redirect(url_for("team.index"))


@bp.route("/employees/<int:employee_id>/deactivate", methods=["POST"])
@requires("team.manage")
def deactivate_employee(employee_id: int):
    return _employee_action(employee_id, employees.deactivate_employee,
                            _("Compte désactivé : %(name)s ; ses sessions sont fermées."))


@bp.route("/employees/<int:employee_id>/reactivate", methods=["POST"])
@requires("team.manage")
def reactivate_employee(employee_id: int):
    return _employee_action(employee_id, employees.reactivate_employee, _("Compte réactivé : %(name)s."))


@bp.route("/employees/<int:employee_id>/password", methods=["POST"])
@requires("team.manage")
def reset_password(employee_id: int):
    employee = _found(employees.get_employee(employee_id))
    password, error = _attempt(lambda: passwords.reset_password(current_user, employee))
    if error is not None:
        return _refused(error, "team.edit_employee", employee_id=employee_id)
    return _password_page(employee, password, created=False)


# --- permission sets -------------------------------------------------------------

def _copy_form() -> CopySetForm:
    form = CopySetForm()
    sets = permission_sets.list_sets()
    form.source.choices = [(permission_set.id, set_label(permission_set.name)) for permission_set, _count in sets]
    if request.method == "GET":
        form.source.data = next((s.id for s, _count in sets if s.is_default), None)
    return form


@bp.route("/sets")
@requires("team.manage")
def sets():
    return render_template("team/sets.html", sets=permission_sets.list_sets(), form=_copy_form())


@bp.route("/sets", methods=["POST"])
@requires("team.manage")
def create_set():
    form = _copy_form()
    if form.validate_on_submit():
        permission_set, error = _attempt(
            lambda: permission_sets.copy_set(current_user, form.source.data, form.name.data))
        if error is None:
            flash(_("Ensemble « %(name)s » créé : réglez ses autorisations ci-dessous.",
                    name=permission_set.name), "success")
            return redirect(url_for("team.matrix", _anchor=f"set-{permission_set.id}"))
        _field_error(form, error)
    return render_template("team/sets.html", sets=permission_sets.list_sets(), form=form), 422


@bp.route("/sets/<int:set_id>/edit", methods=["GET", "POST"])
@requires("team.manage")
def edit_set(set_id: int):
    permission_set = _found(permission_sets.get_set(set_id))
    form = RenameSetForm()
    if request.method == "GET":
        form.name.data = permission_set.name
    if form.validate_on_submit():
        _nothing, error = _attempt(lambda: permission_sets.rename_set(current_user, permission_set, form.name.data))
        if error is None:
            flash(_("Ensemble renommé."), "success")
            return redirect(url_for("team.sets"))
        permission_set = _found(permission_sets.get_set(set_id))
        _field_error(form, error)
    return render_template("team/set_form.html", form=form, permission_set=permission_set,
                           count=permission_sets.employee_count(permission_set)), _form_status()


@bp.route("/sets/<int:set_id>/delete", methods=["POST"])
@requires("team.manage")
def delete_set(set_id: int):
    permission_set = _found(permission_sets.get_set(set_id))
    name = set_label(permission_set.name)
    _nothing, error = _attempt(lambda: permission_sets.delete_set(current_user, permission_set))
    if error is not None:
        return _refused(error, "team.sets")
    flash(_("Ensemble « %(name)s » supprimé.", name=name), "success")
    return redirect(url_for("team.sets"))


@bp.route("/sets/<int:set_id>/default", methods=["POST"])
@requires("team.manage")
def default_set(set_id: int):
    permission_set = _found(permission_sets.get_set(set_id))
    _nothing, error = _attempt(lambda: permission_sets.make_default_set(current_user, permission_set))
    if error is not None:
        return _refused(error, "team.sets")
    flash(_("« %(name)s » est l’ensemble donné aux nouveaux employés.",
            name=set_label(permission_set.name)), "success")
    return redirect(url_for("team.sets"))


# --- the matrix ------------------------------------------------------------------

def _matrix_context(change=None, error=None) -> dict:
    columns = [{"set": permission_set, "count": count, "caps": capabilities_of(permission_set)}
               for permission_set, count in permission_sets.list_sets()]
    for column in columns:
        column["levels"] = {name: permission_matrix.set_field_level(column["caps"], name) for name in CONTACT_FIELDS}
    messages = []
    changed = set()
    if change is not None:
        label = permission_matrix.capability_label
        changed = set(change.also_granted) | set(change.also_removed) | {change.requested}
        what = label(change.requested)
        set_name = set_label(change.permission_set.name)
        messages.append((_("« %(set)s » : %(capability)s accordé.", set=set_name, capability=what)
                         if change.granted else
                         _("« %(set)s » : %(capability)s retiré.", set=set_name, capability=what)))
        if change.also_granted:
            messages.append(_("Également accordé : %(list)s.", list=", ".join(label(c) for c in change.also_granted)))
        if change.also_removed:
            messages.append(_("Également retiré : %(list)s.", list=", ".join(label(c) for c in change.also_removed)))
    return {"columns": columns, "groups": permission_matrix.matrix_groups(), "levels": permission_matrix.LEVEL_LABELS,
            "messages": messages, "error": error, "changed": changed,
            "changed_set_id": change.permission_set.id if change is not None else None}


@bp.route("/permissions")
@requires("team.manage")
def matrix():
    return render_htmx("team/matrix.html", "team/_matrix.html", **_matrix_context())


def _matrix_answer(set_id: int, apply):
    permission_set = _found(permission_sets.get_set(set_id))
    change, error = _attempt(lambda: apply(permission_set))
    if error is not None:
        if not is_htmx():
            return _refused(error, "team.matrix")
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
    return _matrix_answer(set_id, lambda permission_set: permission_matrix.toggle_capability(
        current_user, permission_set, capability, granted))


@bp.route("/permissions/<int:set_id>/field/<field_name>", methods=["POST"])
@requires("team.manage")
def contact_level(set_id: int, field_name: str):
    if field_name not in CONTACT_FIELDS:
        abort(404)
    level = request.form.get("level", "")
    return _matrix_answer(set_id, lambda permission_set: permission_matrix.set_contact_level(
        current_user, permission_set, field_name, level))


# --- the audit trail ---------------------------------------------------------------

@bp.route("/audit")
@requires("team.manage")
def audit():
    query = audit_log.AuditQuery.from_args(request.args)
    page = paginate(audit_log.audit_select(query, to_utc=to_utc), query.page, AUDIT_PAGE_SIZE)
    query.page = page.page
    return render_htmx("team/audit.html", "team/_audit_results.html", query=query, page=page,
                       names=audit_log.target_names(), employees=employees.list_employees(),
                       actions=audit_log.known_actions(), action_label=audit_log.action_label,
                       describe=audit_log.describe)


@bp.route("/audit/export")
@requires("team.manage")
def audit_export():
    query = audit_log.AuditQuery.from_args(request.args)
    # The filters as tokens only: an action typed into the URL is not kept.
    action = query.action if re.fullmatch(r"[a-z_]{1,40}", query.action or "") else None
    record("audit_exported", details={"action": action, "employee": query.employee_id})
    db.session.commit()
    names = audit_log.target_names()
    stmt = audit_log.audit_rows_select(query, to_utc=to_utc).execution_options(yield_per=500)

    # Resolved now: while the response streams, the request's employee is gone.
    labels = {action: audit_log.action_label(action) for action in audit_log.known_actions()}
    zone = get_timezone()

    def local_time(moment):
        return moment.replace(tzinfo=timezone.utc).astimezone(zone)

    def generate():
        yield from audit_csv.audit_csv_rows(db.session.execute(stmt), names, local_time, labels)

    filename = f"journal-audit-{date.today().isoformat()}.csv"
    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
