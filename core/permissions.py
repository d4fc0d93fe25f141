"""The one permission mechanism: capabilities, can(), @requires, and the
customer view that carries only the fields an employee may see.

Routes, templates, htmx fragments, search, sorts, filters and exports all ask
here; nothing else decides who sees what.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, wraps

from flask import abort, g, has_app_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.customer_views import CustomerRowView, CustomerView
from core.masking import address_at, email_at, first_phone_at, phones_at

CONTACT_FIELDS = ("email", "phone", "address")
# Levels of a contact field, weakest first. Each is a capability
# "customers.<field>.<level>"; "none" is the absence of all three.
FIELD_LEVELS = ("none", "masked", "view", "edit")

# The matrix, grouped as Square groups it. Order here is the order on screen.
CAPABILITY_GROUPS: list[tuple[str, object, list[tuple[str, object]]]] = [
    ("access", _l("Points d’accès"), [
        ("access.register", _l("Écran de vente")),
        ("access.backoffice", _l("Arrière-boutique")),
    ]),
    ("customer_data", _l("Données des clients"), [
        (f"customers.{name}.{level}", label)
        for name, label in (("email", _l("Adresse courriel")), ("phone", _l("Téléphone")),
                            ("address", _l("Adresse postale")))
        for level in ("masked", "view", "edit")
    ]),
    ("profile", _l("Ressources du profil"), [
        ("customers.history.view", _l("Transactions, factures et commentaires")),
    ]),
    ("actions", _l("Actions clients"), [
        ("customers.basic", _l("Clients – Base")),
        ("customers.discounts", _l("Clients – Remises et profil")),
        ("customers.archive", _l("Clients – Archivage")),
        ("customers.merge", _l("Clients – Fusion")),
        ("customers.delete", _l("Clients – Suppression de clients")),
        ("customers.import", _l("Clients – Importation")),
        ("customers.export", _l("Clients – Exportation")),
    ]),
    ("loyalty", _l("Fidélité"), [
        ("loyalty.points", _l("Ajouter et utiliser des points")),
        ("loyalty.rewards", _l("Récompenses ponctuelles")),
        ("loyalty.groups", _l("Groupes")),
        ("loyalty.remove", _l("Retirer du programme")),
    ]),
    ("sales", _l("Ventes"), [
        ("sales.refund", _l("Rembourser ou annuler une vente")),
        ("sales.invoices", _l("Régler les factures")),
    ]),
    ("team", _l("Équipe"), [
        ("team.manage", _l("Employés, autorisations et journal d’audit")),
    ]),
]

CAPABILITIES: frozenset[str] = frozenset(
    cap for _, _, caps in CAPABILITY_GROUPS for cap, _ in caps)

# Granting the key grants the values too (applied transitively).
IMPLIES: dict[str, set[str]] = {
    **{f"customers.{name}.edit": {f"customers.{name}.view"} for name in CONTACT_FIELDS},
    **{f"customers.{name}.view": {f"customers.{name}.masked"} for name in CONTACT_FIELDS},
    **{f"customers.{name}.masked": {"customers.basic"} for name in CONTACT_FIELDS},
    "customers.history.view": {"customers.basic"},
    "customers.discounts": {"customers.basic"},
    "customers.archive": {"customers.basic"},
    "customers.merge": {"customers.basic", "customers.archive"},
    "customers.delete": {"customers.basic", "customers.archive"},
    "customers.import": {"customers.basic"},
    "customers.export": {"customers.basic"},
    "loyalty.points": {"customers.basic"},
    "loyalty.rewards": {"customers.basic"},
    "loyalty.groups": {"customers.basic"},
    "loyalty.remove": {"customers.basic"},
    "sales.refund": {"access.register"},
    "sales.invoices": {"customers.basic"},
    "customers.basic": {"access.backoffice"},
}

# The three sets every shop starts with. "Employé" is the default and, as in
# Square, sees no contact details.
DEFAULT_SETS: dict[str, set[str] | None] = {
    "Propriétaire": None,  # everything, locked
    "Gérant": {
        "access.register", "access.backoffice", "customers.basic",
        "customers.email.edit", "customers.phone.edit", "customers.address.edit",
        "customers.history.view", "customers.discounts", "customers.archive", "customers.merge",
        "customers.export",
        "loyalty.points", "loyalty.rewards", "loyalty.groups", "sales.refund", "sales.invoices",
    },
    "Employé": {"access.register", "access.backoffice", "customers.basic", "loyalty.points"},
}


def closure(capabilities) -> frozenset[str]:
    """The capabilities with everything they imply."""
    result = set(capabilities)
    pending = list(result)
    while pending:
        for implied in IMPLIES.get(pending.pop(), ()):
            if implied not in result:
                result.add(implied)
                pending.append(implied)
    return frozenset(result & CAPABILITIES)


def dependents(capability: str) -> frozenset[str]:
    """Capabilities that imply this one: removing it removes them too."""
    return frozenset(cap for cap in CAPABILITIES if capability in closure({cap}) and cap != capability)


def capabilities_of(permission_set) -> frozenset[str]:
    if permission_set is None:
        return frozenset()
    if permission_set.is_owner:
        return CAPABILITIES
    return closure(permission_set.capabilities)


@dataclass(frozen=True)
class Viewer:
    """What one employee may do and see, worked out once per request: a page
    of 50 customers asks several times per row."""
    capabilities: frozenset
    # Contact field -> none / masked / view / edit, before a customer's own
    # rule (field_level: a marketing sign-up's details are masked).
    levels: dict
    history_visible: bool


@lru_cache(maxsize=256)
def _viewer_for(capabilities: frozenset) -> Viewer:
    levels = {}
    for name in CONTACT_FIELDS:
        level = "none"
        for candidate in ("masked", "view", "edit"):
            if f"customers.{name}.{candidate}" in capabilities:
                level = candidate
        levels[name] = level
    return Viewer(capabilities, levels, "customers.history.view" in capabilities)


NOBODY = _viewer_for(frozenset())


def viewer(employee) -> Viewer:
    """The employee's Viewer, cached for the request on flask.g.

    The key holds everything the answer depends on (the employee, their set
    and that set's capabilities as they are now), so a set changed within the
    request, or another employee in the same request or test, is worked out
    afresh and never served a stale or a foreign answer."""
    # current_user is a proxy that asks Flask-Login again at every attribute:
    # resolve it once.
    resolve = getattr(employee, "_get_current_object", None)
    if resolve is not None:
        employee = resolve()
    if employee is None or not getattr(employee, "is_authenticated", False) or not employee.active:
        return NOBODY
    fixed = getattr(employee, "fixed_capabilities", None)
    if fixed is not None:  # a snapshot taken for a long export (export_list.snapshot)
        return _viewer_for(fixed)
    permission_set = employee.permission_set
    key = (employee.id, employee.permission_set_id,
           None if permission_set is None else (bool(permission_set.is_owner), permission_set.capabilities))
    cache = g.setdefault("_viewers", {}) if has_app_context() else {}
    found = cache.get(key)
    if found is None:
        found = cache[key] = _viewer_for(capabilities_of(permission_set))
    return found


def effective_capabilities(employee) -> frozenset[str]:
    """What an employee may do now (viewer(), cached for the request)."""
    return viewer(employee).capabilities


def can(employee, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    return capability in viewer(employee).capabilities


def field_level(employee, field_name: str, customer=None) -> str:
    """none / masked / view / edit for a contact field, for this customer.

    Seed 004: a customer who came only through a marketing sign-up has their
    contact details masked for every set that cannot edit the field.
    """
    level = viewer(employee).levels.get(field_name, "none")
    if level == "view" and customer is not None and is_marketing_only(customer):
        level = "masked"
    return level


def is_marketing_only(customer) -> bool:
    """A marketing sign-up who never came, while subscribed: seed 004 masks
    "si le client est abonné", so the masking follows the consent (a "yes"
    to email or SMS marketing, blueprints/customers/consent.py). The
    consents are read only for such customers (a lazy load, rarely)."""
    if customer.origin != "marketing" or customer.visit_count:
        return False
    return any(c.purpose in ("email_marketing", "sms_marketing") and c.state == "yes"
               for c in customer.consents)


def searchable_fields(employee) -> set[str]:
    """Fields a search term may match: a value one cannot see in full cannot
    be searched on, or the search would reveal it."""
    fields = {"name"} if can(employee, "customers.basic") else set()
    for name in ("email", "phone"):
        if field_level(employee, name) in ("view", "edit"):
            fields.add(name)
    return fields


# --- the full-value lookup rule ------------------------------------------------
#
# A customer at the counter says their number or address out loud. An employee
# who may not view that field may still FIND the customer by typing the
# field's complete value (a whole phone number in any format, a whole email
# address): the result shows the name and what the employee may see, never
# the value itself. A partial value over a field the employee cannot view in
# full finds nothing, so the search is no oracle for hidden data. Every lookup
# asks here: the counter's and the directory's search (customers.search_terms), the
# loyalty list, Fidélité > Ajouter/Utiliser des points (find_by_username).

_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE_SHAPE = re.compile(r"[\d\s+().\-/\u00a0]+")


def complete_value(field_name: str, term: str, phone_region: str = "FR") -> str | None:
    """The stored key a term names when it is a field's complete value: the
    lower-cased address (Customer.email_key), or the E.164 number
    (Phone.e164); None for anything partial or malformed."""
    term = (term or "").strip()
    if field_name == "email":
        return term.lower() if len(term) <= 254 and _EMAIL_SHAPE.fullmatch(term) else None
    if field_name == "phone":
        if not _PHONE_SHAPE.fullmatch(term) or sum(ch.isdigit() for ch in term) < 6:
            return None
        from core.phones import normalise  # local: phones is a leaf module
        return normalise(term, phone_region)
    return None


def lookup_only_fields(employee) -> set[str]:
    """Contact fields this employee may not view in full for every customer
    (none, masked, or view: a marketing sign-up's are masked below edit) and
    may look a customer up by with the complete value (the rule above)."""
    if not can(employee, "customers.basic"):
        return set()
    return {name for name in ("email", "phone") if field_level(employee, name) != "edit"}


def complete_lookups(employee, term: str, phone_region: str = "FR") -> dict[str, str]:
    """{field: stored key} for each field this employee may only look up by
    complete value, where `term` is that complete value."""
    found = {}
    for name in lookup_only_fields(employee):
        key = complete_value(name, term, phone_region)
        if key:
            found[name] = key
    return found


# --- the customer view ---------------------------------------------------

def customer_view(employee, customer, phone_region: str = "FR") -> CustomerView:
    """The customer as this employee may see them."""
    return _view(viewer(employee), customer, phone_region)


def customer_views(employee, customers, phone_region: str = "FR") -> list[CustomerView]:
    """customer_view for each row of a list: the employee's Viewer asked once."""
    seen = viewer(employee)
    return [_view(seen, customer, phone_region) for customer in customers]


def row_views(employee, customers, phone_region: str = "FR") -> list[CustomerRowView]:
    """A list's rows as this employee may see them: the levels and masks of
    customer_view, only the columns a list shows. `customers` are light
    records (customers/light_rows.py: `groups` holds the names)."""
    seen = viewer(employee)
    return [_row(seen, customer, phone_region) for customer in customers]


def _levels(seen: Viewer, customer) -> tuple[str, str, str]:
    """The email, phone and address levels for this customer: the
    employee's, a marketing sign-up's details masked (field_level)."""
    levels = seen.levels
    if is_marketing_only(customer):
        return tuple("masked" if levels[name] == "view" else levels[name] for name in CONTACT_FIELDS)
    return levels["email"], levels["phone"], levels["address"]


def _view(seen: Viewer, customer, phone_region: str) -> CustomerView:
    """Built for each row of a page: the levels come from the request's Viewer."""
    email_level, phone_level, address_level = _levels(seen, customer)
    history_visible = seen.history_visible
    return CustomerView(
        id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        display_name=customer.display_name,
        archived=customer.archived,
        anonymised=customer.anonymised,
        origin=customer.origin,
        email=email_at(email_level, customer.email),
        email_level=email_level,
        phones=phones_at(phone_level, customer.phones, phone_region),
        phone_level=phone_level,
        address=address_at(address_level, customer),
        address_level=address_level,
        comments=customer.comments if history_visible else None,
        history_visible=history_visible,
        groups=[group.name for group in customer.groups],
    )


def _row(seen: Viewer, customer, phone_region: str) -> CustomerRowView:
    email_level, phone_level, _ = _levels(seen, customer)
    return CustomerRowView(
        customer.id, customer.display_name, customer.archived, customer.needs_review,
        email_at(email_level, customer.email), first_phone_at(phone_level, customer.phones, phone_region),
        customer.points_balance, customer.last_visit_at, customer.total_spent_cents,
        customer.groups, customer.birthday_value)


# --- routes --------------------------------------------------------------

def requires(*capabilities: str):
    """Declare and enforce what a view needs. With no argument: signed in only.

    The capabilities are recorded on the view so that a test can walk the URL
    map and find any route that declares nothing.
    """
    for cap in capabilities:
        if cap not in CAPABILITIES:
            raise ValueError(f"unknown capability {cap!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            missing = [cap for cap in capabilities if not can(current_user, cap)]
            if missing:
                from core.audit import record
                from extensions import db
                record("forbidden", details={"endpoint": request.endpoint or "",
                                             "capability": missing[0]})
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capabilities = tuple(capabilities)
        return wrapped

    return decorator


def public(view):
    """Mark a view that anyone may open (sign-in, first-run setup)."""
    view.is_public = True
    return view


def _to_login():
    from core.htmx import is_htmx
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx():
        response = redirect(target)
        response.status_code = 401
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


