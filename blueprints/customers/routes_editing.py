"""Editing the profile, section by section (Détails, Coordonnées, Adresse,
Commentaires: click-to-edit, GET …/<section>/edit gives the form, POST
…/<section> saves it), and its settings saved on change (Profil, Réduction).
The rules are in editing.py."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from core import birthdays
from blueprints.customers import bp
from blueprints.customers.editing import (
    UNSET, ForbiddenFieldError, PhoneChange, StaleCustomerError, update_address, update_comments, update_contact,
    update_details, update_settings)
from blueprints.customers.forms import AddressForm, CommentsForm, ContactForm, DetailsForm, attach_errors
from blueprints.customers.routes_profile import profile_context, section_response
from blueprints.customers.routes_shared import customer_or_404, editable_fields, forbidden, shop_region
from blueprints.customers.validation import FieldErrors
from extensions import db
from core.guards import refused_in
from core.htmx import is_htmx, render_htmx
from models import Customer
from core.permissions import requires


def _apply_details(customer, form):
    update_details(customer, version=form.version.data, first_name=form.first_name.data,
                   last_name=form.last_name.data, birthday=form.birthday.data, tax_id=form.tax_id.data,
                   company=form.company.data)


def _apply_contact(customer, form):
    """Coordonnées: email needs customers.email.edit, phones customers.phone.edit
    (checked per field by the service; the route refuses who may edit neither)."""
    update_contact(customer, version=form.version.data, editable=editable_fields(customer),
                   region=shop_region(), email=request.form["email"] if "email" in request.form else UNSET,
                   phones=_phone_changes(request.form))


def _apply_address(customer, form):
    update_address(customer, version=form.version.data, editable=editable_fields(customer),
                   address_line1=form.address_line1.data, address_line2=form.address_line2.data,
                   postal_code=form.postal_code.data, city=form.city.data, country=form.country.data)


def _apply_comments(customer, form):
    update_comments(customer, version=form.version.data, comments=form.comments.data)


@dataclass(frozen=True)
class Section:
    """A section of the profile edited on its own."""
    form: type
    capability: str  # what its two routes require; the finer, per-field rules are the services'
    apply: Callable  # (customer, form): the service call that applies the form


SECTIONS = {
    "details": Section(DetailsForm, "customers.basic", _apply_details),
    "contact": Section(ContactForm, "customers.basic", _apply_contact),
    "address": Section(AddressForm, "customers.address.edit", _apply_address),
    "comments": Section(CommentsForm, "customers.history.view", _apply_comments),
}


def _add_routes(name: str, section: Section) -> None:
    """The section's two routes: GET …/<name>/edit (customers.edit_<name>)
    and POST …/<name> (customers.save_<name>)."""
    def edit(customer_id: int):
        return _edit(customer_id, name)

    def save(customer_id: int):
        return _save(customer_id, name)

    bp.add_url_rule(f"/<int:customer_id>/{name}/edit", f"edit_{name}", requires(section.capability)(edit))
    bp.add_url_rule(f"/<int:customer_id>/{name}", f"save_{name}", requires(section.capability)(save),
                    methods=["POST"])


for _name, _section in SECTIONS.items():
    _add_routes(_name, _section)


def _section_form(customer: Customer, section: str):
    form_class = SECTIONS[section].form
    if section == "details":
        data = {"first_name": customer.first_name, "last_name": customer.last_name, "company": customer.company,
                "birthday": birthdays.form_text(customer.birthday_value), "tax_id": customer.tax_id}
    elif section == "contact":
        data = {"email": customer.email}
    elif section == "address":
        data = {name: getattr(customer, name) for name in
                ("address_line1", "address_line2", "postal_code", "city", "country")}
    else:
        data = {"comments": customer.comments}
    return form_class(formdata=None, data={**data, "version": customer.version})


def _check_section_access(customer: Customer, section: str) -> None:
    if section == "contact" and not editable_fields(customer) & {"email", "phone"}:
        forbidden("contact")
    if section == "address" and "address" not in editable_fields(customer):
        forbidden("address")


def _edit(customer_id: int, section: str):
    customer = customer_or_404(customer_id, related=True)
    _check_section_access(customer, section)
    return section_response(customer, section, form=_section_form(customer, section))


def _save(customer_id: int, section: str):
    """Validate and save one section; errors come back in place (422), a stale
    version is refused with its message, a forbidden field is a 403."""
    customer = customer_or_404(customer_id, related=True)
    _check_section_access(customer, section)
    form = SECTIONS[section].form(request.form)
    try:
        if refused := refused_in(form):  # a control character (core/guards.py): beside its field
            raise FieldErrors(refused)
        SECTIONS[section].apply(customer, form)
        db.session.commit()
    except ForbiddenFieldError as error:
        forbidden(error.field)
    except FieldErrors as error:
        db.session.rollback()
        customer = customer_or_404(customer_id, related=True)
        rest = attach_errors(form, error.errors)
        return section_response(customer, section, form=form, errors=rest, status=422)
    except StaleCustomerError as error:
        db.session.rollback()
        customer = customer_or_404(customer_id, related=True)
        return section_response(customer, section, form=form, errors={"version": str(error)}, status=422)
    if not is_htmx():
        flash(_("Modifications enregistrées."), "success")
        return redirect(url_for("customers.profile", customer_id=customer.id))
    return section_response(customer, section, saved=True)


def _phone_changes(form) -> list[PhoneChange] | object:
    """The phone rows of the Coordonnées form, or UNSET when the form has none
    (an employee who may not edit phones gets no such inputs)."""
    keys = [key for key in form if key.startswith(("phone-", "remove-")) or key == "new_phone"]
    if not keys:
        return UNSET
    changes = []
    removed = {key.removeprefix("remove-") for key in form if key.startswith("remove-")}
    for key in form:
        if key.startswith("phone-") and key.removeprefix("phone-").isdigit():
            phone_id = key.removeprefix("phone-")
            changes.append(PhoneChange(int(phone_id), form.get(key, ""), key, remove=phone_id in removed))
    for index, raw in enumerate(form.getlist("new_phone")):
        changes.append(PhoneChange(None, raw, f"new_phone-{index}"))
    return changes


@bp.route("/<int:customer_id>/contact/phone-row")
@requires("customers.phone.edit")
def phone_row(customer_id: int):
    """One more empty number in the Coordonnées form (Ajouter un numéro)."""
    from flask import render_template
    customer_or_404(customer_id, related=True)
    return render_template("customers/_phone_row.html", row={"id": None, "value": ""})


@bp.route("/<int:customer_id>/settings", methods=["POST"])
@requires("customers.basic")
def save_settings(customer_id: int):
    """Profil and Réduction, saved on change (the email notifications are a
    consent now: routes_consent.py)."""
    customer = customer_or_404(customer_id, related=True)
    form = request.form
    try:
        update_settings(customer, version=form.get("version"), editable=editable_fields(customer),
                        account_profile=form.get("account_profile", UNSET),
                        default_discount=form.get("default_discount", UNSET))
        db.session.commit()
    except ForbiddenFieldError as error:
        forbidden(error.field)
    except (FieldErrors, StaleCustomerError) as error:
        db.session.rollback()
        customer = customer_or_404(customer_id, related=True)
        errors = error.errors if isinstance(error, FieldErrors) else {"version": str(error)}
        return render_htmx("customers/profile.html", "customers/_settings.html", status=422,
                           **profile_context(customer, errors=errors))
    if not is_htmx():
        flash(_("Modifications enregistrées."), "success")
        return redirect(url_for("customers.profile", customer_id=customer.id))
    return render_htmx("customers/profile.html", "customers/_settings.html",
                       **profile_context(customer, saved=True, section="settings"))
