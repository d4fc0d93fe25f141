"""The profile: the page, each section's display (the editing is in
routes_editing.py), and its buttons: archive, unarchive, reviewed."""
from typing import Callable

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.audit import record_contact_view
from blueprints.customers import bp
from blueprints.customers.archiving import archive_customer, unarchive_customer
from blueprints.customers.editing import mark_reviewed as editing_mark_reviewed
from blueprints.customers.editing import shared_contacts
from blueprints.customers.forms import country_name
from blueprints.customers.routes_shared import customer_or_404, editable_fields, shop_region
from extensions import db
from core.htmx import hx_redirect, render_htmx
from models import Customer
from models.customers import ACCOUNT_PROFILES, DISCOUNTS
from core.permissions import can, customer_view, requires
from core.phones import display as phone_display


def profile_context(customer: Customer, editing: str | None = None, **extra) -> dict:
    """What the profile page and its sections need (the section being
    edited, if any), as this employee may see the customer."""
    view = customer_view(current_user, customer, shop_region())
    in_full = ("view", "edit")
    context = {"customer": view, "record": customer, "editing": editing,
               "editable": editable_fields(customer),
               "can_archive": can(current_user, "customers.archive"),
               "shared": shared_contacts(customer, email=view.email_level in in_full,
                                         phones=view.phone_level in in_full),
               "account_profiles": ACCOUNT_PROFILES, "discounts": DISCOUNTS, "country_name": country_name,
               "errors": {}, "saved": False, "form": None}
    if can(current_user, "customers.merge") and not editing:
        from blueprints.customers.undo_merge import live_snapshots
        context["merge_undos"] = live_snapshots(customer.id)
    from blueprints.customers.routes_consent import consent_context
    context.update(consent_context(customer))
    context.update(extra)
    if editing == "contact":
        context["phone_rows"] = _phone_rows(customer, context["errors"])
    return context


def _phone_rows(customer: Customer, errors: dict) -> list[dict]:
    """The rows of the phone list in the Coordonnées form: as stored (national
    format) when it opens, as typed when it comes back with errors."""
    if request.method == "POST":
        form = request.form
        removed = {key.removeprefix("remove-") for key in form if key.startswith("remove-")}
        rows = [{"id": int(key.removeprefix("phone-")), "value": form[key], "error": errors.get(key),
                 "removed": key.removeprefix("phone-") in removed}
                for key in form if key.startswith("phone-") and key.removeprefix("phone-").isdigit()]
        rows += [{"id": None, "value": raw, "error": errors.get(f"new_phone-{index}")}
                 for index, raw in enumerate(form.getlist("new_phone"))]
        return rows
    region = shop_region()
    rows = [{"id": phone.id, "value": phone_display(phone.e164, region) if phone.e164 else phone.raw}
            for phone in customer.linked_phones]
    return rows + [{"id": None, "value": ""}]


@bp.route("/<int:customer_id>")
@requires("customers.basic")
def profile(customer_id: int):
    customer = customer_or_404(customer_id, related=True)
    context = profile_context(customer)
    view = context["customer"]
    record_contact_view(view, via="directory")
    db.session.commit()
    return render_htmx("customers/profile.html", "customers/profile.html", **context)


def section_response(customer: Customer, section: str, *, form=None, errors: dict | None = None,
                     status: int = 200, saved: bool = False):
    """One section: its form (form given) or its display, as a fragment for
    htmx or inside the whole profile page otherwise."""
    editing = section if form is not None else None
    context = profile_context(customer, editing=editing, form=form, errors=errors or {},
                              saved=saved, section=section)
    return render_htmx("customers/profile.html", f"customers/_section_{section}.html",
                       status=status, **context)


@bp.route("/<int:customer_id>/<any(details, contact, address, comments):section>")
@requires("customers.basic")
def section(customer_id: int, section: str):
    """A section's display (Annuler); the page itself without htmx."""
    customer = customer_or_404(customer_id, related=True)
    if section == "comments" and not can(current_user, "customers.history.view"):
        abort(403)
    return section_response(customer, section)


# --- the buttons --------------------------------------------------------------

def _button(customer_id: int, change: Callable[[Customer], None], message: str):
    """A profile button's change (archive, unarchive, reviewed): made and
    committed, then back to the profile with its message."""
    customer = customer_or_404(customer_id, related=True)
    change(customer)
    db.session.commit()
    flash(message, "success")
    return hx_redirect(url_for("customers.profile", customer_id=customer.id))


@bp.route("/<int:customer_id>/archive", methods=["POST"])
@requires("customers.archive")
def archive(customer_id: int):
    return _button(customer_id, archive_customer,
                   _("Client archivé : il n’apparaît plus dans la liste et ne peut plus être ajouté aux ventes."))


@bp.route("/<int:customer_id>/unarchive", methods=["POST"])
@requires("customers.archive")
def unarchive(customer_id: int):
    return _button(customer_id, unarchive_customer,
                   _("Client désarchivé : il est à nouveau visible dans la liste des clients."))


@bp.route("/<int:customer_id>/reviewed", methods=["POST"])
@requires("customers.basic")
def mark_reviewed(customer_id: int):
    """The "À vérifier" notice's button: the import's unreadable values were checked."""
    return _button(customer_id, editing_mark_reviewed,
                   _("Client vérifié : il n’est plus dans le filtre « À vérifier »."))
