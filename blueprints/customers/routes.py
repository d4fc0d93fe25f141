"""The directory, the profile (edited section by section), adding, archiving.

Routes read the request, call a service (search, editing, adding, archiving)
and render; the rules live in those services.
"""
from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import birthdays
from core import purchase_index
from core.audit import record, record_contact_view
from blueprints.customers import bp
from blueprints.customers.adding import PossibleDuplicates, add_customer
from blueprints.customers.archiving import archive_customer, unarchive_customer
from blueprints.customers.editing import (
    UNSET, ForbiddenFieldError, PhoneChange, StaleCustomerError, shared_contacts, update_address,
    update_comments, update_contact, update_details, update_settings)
from blueprints.customers.editing import mark_reviewed as editing_mark_reviewed
from blueprints.customers.forms import (
    AddressForm, CommentsForm, ContactForm, DetailsForm, NewCustomerForm, attach_errors, country_name)
from blueprints.customers.search import CustomerQuery, customer_page
from blueprints.customers.service import CustomerError
from blueprints.customers.validation import FieldErrors
from extensions import db
from core.guards import refused_in
from core.htmx import hx_redirect, is_htmx, render_htmx
from models import Customer, Group, Location, ShopSettings
from models.customers import ACCOUNT_PROFILES, DISCOUNTS, ORIGINS
from models.sales import CARD_BRANDS, PAYMENT_METHODS
from core.permissions import CONTACT_FIELDS, can, customer_view, customer_views, field_level, requires
from core.pagination import COUNT_CAP
from core.phones import display as phone_display

# Counting a million customers exactly takes 90 ms on PostgreSQL (30 ms on
# SQLite) on every page; up to this many it takes a few.
LIST_COUNT_CAP = 100_000
# Item names offered by the item filter (a datalist the browser narrows as one types).
ITEM_SUGGESTIONS = 500
SECTION_FORMS = {"details": DetailsForm, "contact": ContactForm, "address": AddressForm,
                 "comments": CommentsForm}


def _region() -> str:
    """The shop's phone region, read once per request."""
    if "_phone_region" not in g:
        g._phone_region = ShopSettings.get().phone_region
    return g._phone_region


def _load(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id,
                              options=[selectinload(Customer.phones), selectinload(Customer.groups)])
    if customer is None or customer.anonymised:
        abort(404)
    return customer


def _editable(customer: Customer) -> set[str]:
    """Contact fields (and comments, discounts and profile) this employee may change on this customer."""
    fields = {name for name in CONTACT_FIELDS if field_level(current_user, name, customer) == "edit"}
    if can(current_user, "customers.history.view"):
        fields.add("comments")
    if can(current_user, "customers.discounts"):
        fields.add("discounts")
    return fields


def _forbidden(what: str):
    """A 403 for a rule finer than @requires (a field of this customer), audited like one."""
    db.session.rollback()
    capability = "customers.discounts" if what == "discounts" else f"customers.{what}.edit"
    record("forbidden", details={"endpoint": request.endpoint or "", "capability": capability})
    db.session.commit()
    abort(403)


# --- the directory ---------------------------------------------------------

@bp.route("")
@requires("customers.basic")
def index():
    """The directory: a full page, or only the results for htmx (search as you
    type, filters, sort, paging). The whole query is in the URL."""
    query = CustomerQuery.from_args(request.args)
    region = _region()
    me = current_user._get_current_object()  # once: each use of the proxy asks Flask-Login again
    fragment = is_htmx()
    # A search or filters stop counting past COUNT_CAP ("Plus de 1 000
    # clients"), the plain list past LIST_COUNT_CAP.
    page = customer_page(me, query, region, current_app.config["PAGE_SIZE"],
                         count_limit=COUNT_CAP if query.q or query.filters else LIST_COUNT_CAP,
                         options=(selectinload(Customer.phones), selectinload(Customer.groups)))
    rows = list(zip(customer_views(me, page.items, region), page.items))
    context = {"query": query, "page": page, "rows": rows,
               "email_level": field_level(me, "email"), "phone_level": field_level(me, "phone"),
               # The filter panel (full page) and the chips of the filters on
               # (fragment) name groups and locations; the fragment of a plain search does not.
               **(_filter_options() if not fragment or query.has_filters else {}),
               # The filter panel's suggestions: only the full page has the panel.
               "item_names": [] if fragment else purchase_index.suggestions("", limit=ITEM_SUGGESTIONS)}
    response = render_htmx("customers/index.html", "customers/_results.html", **context)
    if is_htmx():
        # The address bar gets the canonical URL of this list (no empty parameters).
        response.headers["HX-Push-Url"] = url_for("customers.index", **query.to_args())
    return response


def _filter_options() -> dict:
    return {
        "groups": db.session.execute(select(Group.id, Group.name).order_by(Group.name)).all(),
        "locations": db.session.execute(select(Location.id, Location.name).order_by(Location.name)).all(),
        "origins": ORIGINS, "payment_methods": PAYMENT_METHODS, "card_brands": CARD_BRANDS,
        "months": _month_names(),
    }


def _month_names() -> list[tuple[str, str]]:
    from babel.dates import get_month_names
    from flask_babel import get_locale
    names = get_month_names("wide", context="stand-alone", locale=get_locale())
    return [(str(month), names[month]) for month in range(1, 13)]


# --- the profile -----------------------------------------------------------

def _profile_context(customer: Customer, editing: str | None = None, **extra) -> dict:
    view = customer_view(current_user, customer, _region())
    in_full = ("view", "edit")
    context = {"customer": view, "record": customer, "editing": editing,
               "editable": _editable(customer),
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
    region = _region()
    rows = [{"id": phone.id, "value": phone_display(phone.e164, region) if phone.e164 else phone.raw}
            for phone in customer.linked_phones]
    return rows + [{"id": None, "value": ""}]


@bp.route("/<int:customer_id>")
@requires("customers.basic")
def profile(customer_id: int):
    customer = _load(customer_id)
    context = _profile_context(customer)
    view = context["customer"]
    record_contact_view(view, via="directory")
    db.session.commit()
    return render_htmx("customers/profile.html", "customers/profile.html", **context)


def _section_response(customer: Customer, section: str, *, form=None, errors: dict | None = None,
                      status: int = 200, saved: bool = False):
    """One section: its form (form given) or its display, as a fragment for
    htmx or inside the whole profile page otherwise."""
    editing = section if form is not None else None
    context = _profile_context(customer, editing=editing, form=form, errors=errors or {},
                               saved=saved, section=section)
    return render_htmx("customers/profile.html", f"customers/_section_{section}.html",
                       status=status, **context)


def _section_form(customer: Customer, section: str):
    form_class = SECTION_FORMS[section]
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
    if section == "contact" and not _editable(customer) & {"email", "phone"}:
        _forbidden("contact")
    if section == "address" and "address" not in _editable(customer):
        _forbidden("address")


def _edit(customer_id: int, section: str):
    customer = _load(customer_id)
    _check_section_access(customer, section)
    return _section_response(customer, section, form=_section_form(customer, section))


def _save(customer_id: int, section: str, apply):
    """Validate and save one section; errors come back in place (422), a stale
    version is refused with its message, a forbidden field is a 403."""
    customer = _load(customer_id)
    _check_section_access(customer, section)
    form = SECTION_FORMS[section](request.form)
    try:
        if refused := refused_in(form):  # a control character (core/guards.py): beside its field
            raise FieldErrors(refused)
        apply(customer, form)
        db.session.commit()
    except ForbiddenFieldError as error:
        _forbidden(error.field)
    except FieldErrors as error:
        db.session.rollback()
        customer = _load(customer_id)
        rest = attach_errors(form, error.errors)
        return _section_response(customer, section, form=form, errors=rest, status=422)
    except StaleCustomerError as error:
        db.session.rollback()
        customer = _load(customer_id)
        return _section_response(customer, section, form=form, errors={"version": str(error)}, status=422)
    if not is_htmx():
        flash(_("Modifications enregistrées."), "success")
        return redirect(url_for("customers.profile", customer_id=customer.id))
    return _section_response(customer, section, saved=True)


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


@bp.route("/<int:customer_id>/<any(details, contact, address, comments):section>")
@requires("customers.basic")
def section(customer_id: int, section: str):
    """A section's display (Annuler); the page itself without htmx."""
    customer = _load(customer_id)
    if section == "comments" and not can(current_user, "customers.history.view"):
        abort(403)
    return _section_response(customer, section)


@bp.route("/<int:customer_id>/details/edit")
@requires("customers.basic")
def edit_details(customer_id: int):
    return _edit(customer_id, "details")


@bp.route("/<int:customer_id>/details", methods=["POST"])
@requires("customers.basic")
def save_details(customer_id: int):
    def apply(customer, form):
        update_details(customer, version=form.version.data, first_name=form.first_name.data,
                       last_name=form.last_name.data, birthday=form.birthday.data, tax_id=form.tax_id.data,
                       company=form.company.data)
    return _save(customer_id, "details", apply)


@bp.route("/<int:customer_id>/contact/edit")
@requires("customers.basic")
def edit_contact(customer_id: int):
    return _edit(customer_id, "contact")


@bp.route("/<int:customer_id>/contact", methods=["POST"])
@requires("customers.basic")
def save_contact(customer_id: int):
    """Coordonnées: email needs customers.email.edit, phones customers.phone.edit
    (checked per field by the service; the route refuses who may edit neither)."""
    def apply(customer, form):
        update_contact(customer, version=form.version.data, editable=_editable(customer), region=_region(),
                       email=request.form["email"] if "email" in request.form else UNSET,
                       phones=_phone_changes(request.form))
    return _save(customer_id, "contact", apply)


@bp.route("/<int:customer_id>/contact/phone-row")
@requires("customers.phone.edit")
def phone_row(customer_id: int):
    """One more empty number in the Coordonnées form (Ajouter un numéro)."""
    from flask import render_template
    _load(customer_id)
    return render_template("customers/_phone_row.html", row={"id": None, "value": ""})


@bp.route("/<int:customer_id>/address/edit")
@requires("customers.address.edit")
def edit_address(customer_id: int):
    return _edit(customer_id, "address")


@bp.route("/<int:customer_id>/address", methods=["POST"])
@requires("customers.address.edit")
def save_address(customer_id: int):
    def apply(customer, form):
        update_address(customer, version=form.version.data, editable=_editable(customer),
                       address_line1=form.address_line1.data, address_line2=form.address_line2.data,
                       postal_code=form.postal_code.data, city=form.city.data, country=form.country.data)
    return _save(customer_id, "address", apply)


@bp.route("/<int:customer_id>/comments/edit")
@requires("customers.history.view")
def edit_comments(customer_id: int):
    return _edit(customer_id, "comments")


@bp.route("/<int:customer_id>/comments", methods=["POST"])
@requires("customers.history.view")
def save_comments(customer_id: int):
    def apply(customer, form):
        update_comments(customer, version=form.version.data, comments=form.comments.data)
    return _save(customer_id, "comments", apply)


@bp.route("/<int:customer_id>/settings", methods=["POST"])
@requires("customers.basic")
def save_settings(customer_id: int):
    """Profil and Réduction, saved on change (the email notifications are a
    consent now: routes_consent.py)."""
    customer = _load(customer_id)
    form = request.form
    try:
        update_settings(customer, version=form.get("version"), editable=_editable(customer),
                        account_profile=form.get("account_profile", UNSET),
                        default_discount=form.get("default_discount", UNSET))
        db.session.commit()
    except ForbiddenFieldError as error:
        _forbidden(error.field)
    except (FieldErrors, StaleCustomerError) as error:
        db.session.rollback()
        customer = _load(customer_id)
        errors = error.errors if isinstance(error, FieldErrors) else {"version": str(error)}
        return render_htmx("customers/profile.html", "customers/_settings.html", status=422,
                           **_profile_context(customer, errors=errors))
    if not is_htmx():
        flash(_("Modifications enregistrées."), "success")
        return redirect(url_for("customers.profile", customer_id=customer.id))
    return render_htmx("customers/profile.html", "customers/_settings.html",
                       **_profile_context(customer, saved=True, section="settings"))


# --- archiving -------------------------------------------------------------

@bp.route("/<int:customer_id>/archive", methods=["POST"])
@requires("customers.archive")
def archive(customer_id: int):
    customer = _load(customer_id)
    archive_customer(customer)
    db.session.commit()
    flash(_("Client archivé : il n’apparaît plus dans la liste et ne peut plus être ajouté aux ventes."),
          "success")
    return hx_redirect(url_for("customers.profile", customer_id=customer.id))


@bp.route("/<int:customer_id>/unarchive", methods=["POST"])
@requires("customers.archive")
def unarchive(customer_id: int):
    customer = _load(customer_id)
    unarchive_customer(customer)
    db.session.commit()
    flash(_("Client désarchivé : il est à nouveau visible dans la liste des clients."), "success")
    return hx_redirect(url_for("customers.profile", customer_id=customer.id))


@bp.route("/<int:customer_id>/reviewed", methods=["POST"])
@requires("customers.basic")
def mark_reviewed(customer_id: int):
    """The "À vérifier" notice's button: the import's unreadable values were checked."""
    customer = _load(customer_id)
    editing_mark_reviewed(customer)
    db.session.commit()
    flash(_("Client vérifié : il n’est plus dans le filtre « À vérifier »."), "success")
    return hx_redirect(url_for("customers.profile", customer_id=customer.id))


# --- adding ----------------------------------------------------------------

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
            form.country.data = _region()  # most customers live where the shop is
        return render_htmx("customers/new.html", "customers/_new_form.html", form=form, editable=editable)
    address = None
    if "address" in editable:
        address = {name: getattr(form, name).data for name in
                   ("address_line1", "address_line2", "postal_code", "city", "country")}
    try:
        if refused := refused_in(form):  # a control character (core/guards.py): beside its field
            raise FieldErrors(refused)
        customer = add_customer(
            editable=editable, region=_region(), confirm_duplicates=request.form.get("confirm") == "1",
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
        _forbidden(error.field)
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
