"""Adding a customer (Ajouter le client): only the fields this employee may
fill in, the likely duplicates shown before saving. The rules are in adding.py."""
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.customers import bp
from blueprints.customers.adding import PossibleDuplicates, add_customer
from blueprints.customers.editing import UNSET, ForbiddenFieldError
from blueprints.customers.forms import NewCustomerForm, attach_errors
from blueprints.customers.routes_shared import forbidden, shop_region
from blueprints.customers.service import CustomerError
from blueprints.customers.validation import FieldErrors
from extensions import db
from core.guards import refused_in
from core.htmx import hx_redirect, render_htmx
from core.permissions import CONTACT_FIELDS, can, field_level, requires


@bp.route("/new", methods=["GET", "POST"])
@requires("customers.basic")
def new():
    """Ajouter le client: only the fields this employee may fill in; likely
    duplicates are shown before saving (Créer quand même)."""
    editable = {name for name in CONTACT_FIELDS if field_level(current_user, name) == "edit"}
    if can(current_user, "customers.history.view"):
        editable.add("comments")
    form = NewCustomerForm(editable=editable)
    if request.method == "GET":
        if "address" in editable:
            form.country.data = shop_region()  # most customers live where the shop is
        return render_htmx("customers/new.html", "customers/_new_form.html", form=form, editable=editable)
    address = None
    if "address" in editable:
        address = {name: getattr(form, name).data for name in
                   ("address_line1", "address_line2", "postal_code", "city", "country")}
    try:
        if refused := refused_in(form):  # a control character (core/guards.py): beside its field
            raise FieldErrors(refused)
        customer = add_customer(
            editable=editable, region=shop_region(), confirm_duplicates=request.form.get("confirm") == "1",
            first_name=form.first_name.data, last_name=form.last_name.data,
            email=form.email.data if "email" in editable else _sent(request.form, "email"),
            phone=form.phone.data if "phone" in editable else _sent(request.form, "phone"),
            address=address if address is not None else _sent_address(request.form),
            comments=form.comments.data if "comments" in editable else _sent(request.form, "comments"),
            birthday=form.birthday.data, tax_id=form.tax_id.data, company=form.company.data,
            email_notifications=bool(form.email_notifications.data) if "email" in editable
            else bool(request.form.get("email_notifications")), employee_id=current_user.id)
        db.session.commit()
    except ForbiddenFieldError as error:
        forbidden(error.field)
    except PossibleDuplicates as warning:
        db.session.rollback()
        return render_htmx("customers/new.html", "customers/_new_form.html", form=form, editable=editable,
                           duplicates=warning.duplicates)
    except FieldErrors as error:
        db.session.rollback()
        rest = attach_errors(form, error.errors)
        return render_htmx("customers/new.html", "customers/_new_form.html", status=422, form=form,
                           editable=editable, errors=rest)
    except CustomerError as error:
        db.session.rollback()
        return render_htmx("customers/new.html", "customers/_new_form.html", status=422, form=form,
                           editable=editable, errors={"form": str(error)})
    flash(_("Client ajouté."), "success")
    return hx_redirect(url_for("customers.profile", customer_id=customer.id))


def _sent(form, name: str):
    """A value posted for a field that was not in the form (forged): it is
    passed on so that the service refuses it."""
    return form[name] if form.get(name) else UNSET


def _sent_address(form):
    names = ("address_line1", "address_line2", "postal_code", "city", "country")
    return {name: form.get(name) for name in names} if any(form.get(name) for name in names) else None
