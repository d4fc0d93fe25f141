"""The Groupes page: the groups with how many customers each holds, created,
renamed and deleted there; one group's customers; and the names the panel's
tag editor suggests. Thin, like routes.py."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.loyalty import bp, groups as group_service
from blueprints.loyalty.forms import GroupForm
from blueprints.loyalty.saving import save, save_form
from core.guards import parse_page
from core.htmx import is_htmx, render_htmx
from core.permissions import requires
from extensions import db
from models import Group


def _groups_response(status: int = 200, **context):
    context.setdefault("form", GroupForm(formdata=None))
    context.setdefault("rename_error", {})
    context.setdefault("message", None)
    if not is_htmx() and status == 200 and request.method == "POST":
        if context["message"]:
            flash(context["message"], "success")
        return redirect(url_for(".groups"))
    return render_htmx("loyalty/groups.html", "loyalty/_groups.html", status=status,
                       groups=group_service.groups_with_counts(), **context)


@bp.route("/groups")
@requires("customers.basic")
def groups():
    """The groups, with how many customers each holds. They are the directory's groups too."""
    return _groups_response()


@bp.route("/groups", methods=["POST"])
@requires("loyalty.groups")
def create_group():
    form = GroupForm()
    if form.validate_on_submit():
        group = save_form(form, group_service.create_group, form.name.data, current_user.id)
        if group is not None:
            return _groups_response(message=_("Groupe « %(name)s » créé.", name=group.name))
    return _groups_response(422, form=form)


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
@requires("loyalty.groups")
def rename_group(group_id: int):
    group = db.get_or_404(Group, group_id)
    name = request.form.get("name", "")
    _renamed, error = save(group_service.rename_group, group, name, current_user.id)
    if error is not None:
        return _groups_response(422, rename_error={group_id: (str(error), name)})
    return _groups_response(message=_("Groupe renommé."))


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@requires("loyalty.groups")
def delete_group(group_id: int):
    group = db.get_or_404(Group, group_id)
    name = group.name
    count = group_service.delete_group(group, current_user.id)
    db.session.commit()
    return _groups_response(message=ngettext(
        "Groupe « %(name)s » supprimé ; %(num)s client en a été retiré.",
        "Groupe « %(name)s » supprimé ; %(num)s clients en ont été retirés.", count, name=name))


@bp.route("/groups/<int:group_id>")
@requires("customers.basic")
def group(group_id: int):
    """The customers of one group (members of the programme or not)."""
    group = db.get_or_404(Group, group_id)
    page_number = parse_page(request.args.get("page"))
    page = group_service.group_customers(group.id, page_number, current_app.config["PAGE_SIZE"])
    return render_template("loyalty/group.html", group=group, page=page)


@bp.route("/groups/suggest")
@requires("loyalty.groups")
def suggest_groups():
    """Options for the tag editor's datalist, as the name is typed."""
    groups = group_service.suggest_groups(request.args.get("name", ""))
    return render_template("loyalty/_group_options.html", groups=groups)
