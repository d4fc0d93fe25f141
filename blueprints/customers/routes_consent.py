"""The profile's Consentements card: the current state per purpose, the
history with its proof, and recording a decision at the counter (issue 15).
Rules in consent.py; who may record a purpose is who may edit its channel
(permissions.field_level, the same as the contact form)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.audit import record
from blueprints.customers import bp, consent
from blueprints.customers.routes_shared import customer_or_404
from extensions import db
from core.htmx import is_htmx, render_htmx
from models import Customer
from models.consent import PURPOSES
from core.permissions import field_level, requires

# What the employee may say the decision came from (an import is never typed in).
TYPED_METHODS = ("counter", "request")


def recordable_purposes(customer: Customer) -> list[str]:
    """The purposes this employee may record for this customer."""
    return [purpose for purpose in PURPOSES
            if field_level(current_user, consent.CHANNEL[purpose], customer) == "edit"]


def consent_context(customer: Customer, **extra) -> dict:
    """What _consent.html needs (the profile page includes it too)."""
    return {"consent_states": consent.current_states(customer),
            "consent_history": consent.history(customer.id),
            "consent_recordable": recordable_purposes(customer),
            "consent_questions": {purpose: consent.question(purpose) for purpose in PURPOSES},
            "consent_labels": consent, "consent_errors": {}, "consent_saved": None, "consent_form": {},
            **extra}


def _card(customer: Customer, status: int = 200, **extra):
    return render_htmx("customers/consent.html", "customers/_consent.html", status=status,
                       record=customer, **consent_context(customer, **extra))


@bp.route("/<int:customer_id>/consent")
@requires("customers.basic")
def consent_card(customer_id: int):
    """The card alone (htmx), or a page with it (no JavaScript)."""
    return _card(customer_or_404(customer_id))


@bp.route("/<int:customer_id>/consent", methods=["POST"])
@requires("customers.basic")
def record_consent(customer_id: int):
    """Record one decision: the purpose, Oui / Non / Inconnu (none chosen in
    advance), and how it was expressed; the question shown is kept with it."""
    customer = customer_or_404(customer_id)
    purpose = request.form.get("purpose", "")
    state = request.form.get("state", "")
    method = request.form.get("method", "counter")
    form = {"purpose": purpose, "state": state, "method": method}
    if purpose not in PURPOSES:
        return _card(customer, 422, consent_errors={"purpose": _("Choisissez une finalité de la liste.")},
                     consent_form=form)
    if purpose not in recordable_purposes(customer):
        db.session.rollback()
        record("forbidden", details={"endpoint": request.endpoint or "",
                                     "capability": f"customers.{consent.CHANNEL[purpose]}.edit"})
        db.session.commit()
        abort(403)
    errors = {}
    if state not in ("yes", "no", "unknown"):
        errors[f"state-{purpose}"] = _("Choisissez Oui, Non ou Inconnu.")
    if method not in TYPED_METHODS:
        errors[f"method-{purpose}"] = _("Choisissez comment le choix a été exprimé.")
    if errors:
        return _card(customer, 422, consent_errors=errors, consent_form=form)
    consent.record_consent(customer, purpose, state, method=method, employee_id=current_user.id,
                           text_shown=consent.question(purpose) if method == "counter" else None)
    db.session.commit()
    if not is_htmx():
        flash(_("Consentement enregistré."), "success")
        return redirect(url_for("customers.profile", customer_id=customer.id) + "#consent")
    return _card(customer, consent_saved=purpose)
