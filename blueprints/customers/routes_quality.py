"""The data-quality inbox (*À traiter*) and the retention notice. Rules in
quality.py and anonymising.py; these routes read the request and render."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.audit import record
from blueprints.customers import anonymising, bp, quality
from blueprints.customers.editing import StaleCustomerError
from blueprints.customers.routes_shared import position_or_404
from blueprints.customers.service import CustomerError
from extensions import db
from core.guards import parse_id
from core.htmx import hx_redirect, is_htmx, render_htmx
from models import Customer, ShopSettings
from models.base import utcnow
from core.permissions import can, customer_view, requires

PAGE_SIZE = 25


@bp.app_context_processor
def _quality_badge():
    """`quality_badge()` in the navigation: open items, capped, once a request."""
    from flask import g

    def quality_badge() -> int:
        if "_quality_badge" not in g:
            try:
                g._quality_badge = quality.badge(current_user) if current_user.is_authenticated else 0
            except Exception:  # noqa: BLE001  (an error page without the database: no badge)
                g._quality_badge = 0
        return g._quality_badge
    return {"quality_badge": quality_badge}


def kind_labels() -> dict[str, str]:
    return {"review": _("Valeurs importées à vérifier"), "phone": _("Téléphones à vérifier"),
            "birthday": _("Dates impossibles"), "email": _("Courriels mal formés"),
            "email_typo": _("Fautes de frappe dans les courriels"),
            "card_only": _("Profils créés par une carte, sans coordonnées"),
            "name": _("Noms en capitales ou avec des espaces en trop"), "duplicate": _("Doublons probables")}


@bp.route("/inbox")
@requires("customers.basic")
def inbox():
    """*À traiter*: one kind at a time (tabs with capped counts), a page of
    its items, keyset-paged by customer id (`after`)."""
    kinds = quality.visible_kinds(current_user)
    counts = quality.counts(current_user)
    from flask import g
    g._quality_badge = min(quality.BADGE_CAP, sum(counts.values()))  # the navigation's badge, already counted
    default = next((k for k in kinds if counts.get(k)), kinds[0] if kinds else None)
    kind = request.args.get("kind") or default
    if kind not in kinds:
        abort(404)
    after = position_or_404("after")
    region = ShopSettings.get().phone_region
    result = quality.page(current_user, kind, after=after, limit=PAGE_SIZE, region=region)
    views = {item.customer.id: customer_view(current_user, item.customer, region) for item in result.items}
    for item in result.items:
        if "primary" in item.extra:
            views[item.extra["primary"].id] = customer_view(current_user, item.extra["primary"], region)
    settings = ShopSettings.get()
    notice_on = anonymising.notice_date(settings)
    return render_htmx("customers/inbox.html", "customers/_inbox_items.html",
                       kinds=kinds, kind=kind, counts=counts, cap=quality.BADGE_CAP, page=result, after=after,
                       views=views, labels=kind_labels(), notice_on=notice_on,
                       can_fix=_can_fix(kind))


def _can_fix(kind: str) -> bool:
    return kind in quality.FIXABLE and can(current_user, quality.fix_capability(kind))


def _item_customer(kind: str, customer_id: int) -> Customer:
    if kind not in quality.visible_kinds(current_user):
        abort(403)
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.anonymised:
        abort(404)
    return customer


def _done(back: str, customer_id: int, message: str):
    """The row, answered in place (htmx), or the page again with the message."""
    if is_htmx():
        from flask import render_template
        return render_template("customers/_inbox_done.html", message=message, customer_id=customer_id)
    flash(message, "success")
    return redirect(back)


@bp.post("/inbox/<kind>/<int:customer_id>/fix")
@requires("customers.basic")
def inbox_fix(kind: str, customer_id: int):
    """The one-tap fix of an item (the version the row was read at must still hold)."""
    customer = _item_customer(kind, customer_id)
    if kind not in quality.FIXABLE:
        abort(404)
    if not can(current_user, quality.fix_capability(kind)):
        record("forbidden", details={"endpoint": request.endpoint or "", "capability": quality.fix_capability(kind)})
        db.session.commit()
        abort(403)
    version = request.form.get("version", "")
    try:
        if str(customer.version) != version:
            raise StaleCustomerError()
        quality.apply_fix(current_user, kind, customer, region=ShopSettings.get().phone_region)
        db.session.commit()
    except (CustomerError, quality.NoFix) as refused:
        db.session.rollback()
        message = str(refused) if isinstance(refused, CustomerError) else _("Rien à corriger : déjà fait.")
        if is_htmx():
            from flask import make_response, render_template
            return make_response(render_template("customers/_inbox_done.html", message=message,
                                                 customer_id=customer_id, error=True), 422)
        flash(message, "error")
        return redirect(url_for("customers.inbox", kind=kind))
    return _done(url_for("customers.inbox", kind=kind), customer_id, _("Corrigé."))


@bp.post("/inbox/<kind>/<int:customer_id>/ignore")
@requires("customers.basic")
def inbox_ignore(kind: str, customer_id: int):
    """*Ignorer*: remembered, never shown again for this customer (and this phone or pair)."""
    _item_customer(kind, customer_id)
    raw_subject = (request.form.get("subject") or "0").strip()
    subject = 0 if raw_subject == "0" else parse_id(raw_subject)
    if subject is None or (kind in ("phone", "duplicate")) != (subject != 0):
        abort(422)
    quality.ignore(kind, customer_id, subject, employee_id=current_user.id)
    db.session.commit()
    return _done(url_for("customers.inbox", kind=kind), customer_id, _("Ignoré : ne sera plus proposé."))


# --- retention -------------------------------------------------------------------

@bp.route("/retention")
@requires("customers.basic")
def retention():
    """The next automatic anonymisation: when, how many, who (as this
    employee may see them), "Conserver"; and the setting, for the owner."""
    settings = ShopSettings.get()
    after = position_or_404("after")
    region = settings.phone_region
    notice = anonymising.upcoming(settings, after_id=after)
    views = [customer_view(current_user, c, region) for c in (notice.customers if notice else [])]
    years = settings.retention_years
    raw_years = request.args.get("years")
    if raw_years is not None:
        years = int(raw_years) if raw_years.isdigit() and int(raw_years) in anonymising.YEARS_CHOICES else years
    may_set = _may_set_retention()
    preview = None
    if may_set and (raw_years is not None or not settings.retention_enabled):
        first_run = anonymising.starts_on_after(utcnow().date())
        preview = {"years": years, "run_on": first_run, "count": anonymising.count_inactive(years, first_run)}
    return render_htmx("customers/retention.html", "customers/_retention_list.html",
                       settings=settings, notice=notice, views=views, after=after, may_set=may_set,
                       preview=preview, years_choices=anonymising.YEARS_CHOICES, errors={})


def _may_set_retention() -> bool:
    return can(current_user, "team.manage") and can(current_user, "customers.delete")


@bp.post("/retention/settings")
@requires("team.manage", "customers.delete")
def retention_settings():
    if request.form.get("action") == "disable":
        anonymising.disable(employee_id=current_user.id)
        db.session.commit()
        flash(_("Anonymisation automatique désactivée."), "success")
        return hx_redirect(url_for("customers.retention"))
    raw_years, seen = request.form.get("years", ""), request.form.get("seen_count", "")
    years = int(raw_years) if raw_years.isdigit() else 0
    errors = {}
    if years not in anonymising.YEARS_CHOICES:
        errors["years"] = _("Choisissez une durée de 1 à 10 ans.")
    elif request.form.get("confirm") != "1":
        errors["confirm"] = _("Cochez la case pour confirmer que vous avez vu combien de clients seront anonymisés.")
    if errors:
        settings = ShopSettings.get()
        first_run = anonymising.starts_on_after(utcnow().date())
        years = years if years in anonymising.YEARS_CHOICES else settings.retention_years
        preview = {"years": years, "run_on": first_run, "count": anonymising.count_inactive(years, first_run)}
        return render_htmx("customers/retention.html", "customers/_retention_settings.html", status=422,
                           settings=settings, notice=None, views=[], after=0, may_set=True, preview=preview,
                           years_choices=anonymising.YEARS_CHOICES, errors=errors)
    starts_on = anonymising.confirm(years, seen_count=int(seen) if seen.isdigit() else 0,
                                    employee_id=current_user.id)
    db.session.commit()
    from flask_babel import format_date
    flash(_("Anonymisation automatique activée : première fois le %(date)s.", date=format_date(starts_on, "long")),
          "success")
    return hx_redirect(url_for("customers.retention"))


@bp.post("/<int:customer_id>/keep")
@requires("customers.basic")
def keep(customer_id: int):
    """*Conserver*: the customer is not anonymised this time (counts as activity)."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.anonymised:
        abort(404)
    anonymising.keep(customer, employee_id=current_user.id)
    db.session.commit()
    message = _("Client conservé : il ne sera pas anonymisé avant %(years)s ans sans activité.",
                years=ShopSettings.get().retention_years)
    return _done(url_for("customers.retention"), customer_id, message)
