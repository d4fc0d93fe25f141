"""Merging customers (seed 000) and the Doublons page. Rules in merge_plan.py,
merging.py, merge_preview.py and merge_candidates.py."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.customers import bp, merge_candidates, merge_plan, merge_suggestions, merging
from blueprints.customers.merge_preview import phone_texts, preview_rows
from blueprints.customers.routes_shared import customer_or_404, position_or_404
from core.changes import commit_or_refusal
from core.guards import parse_id
from core.htmx import render_htmx
from models import Customer, ShopSettings
from core.permissions import customer_view, requires


def _selected_ids() -> list[int]:
    ids = []
    for raw in request.values.getlist("secondary"):
        ident = parse_id(raw)
        if ident is not None and ident not in ids:
            ids.append(ident)
    return ids[:merge_plan.MAX_SECONDARIES + 1]


@bp.route("/<int:customer_id>/merge")
@requires("customers.merge")
def merge(customer_id: int):
    """Seed 000, steps 4-5: the primary, and the secondaries to tick (searched)."""
    primary = customer_or_404(customer_id)
    region = ShopSettings.get().phone_region
    term = (request.args.get("q") or "").strip()[:100]
    selected, matches = merge_candidates.candidates(current_user, primary, term, _selected_ids(), region)
    suggested = merge_suggestions.likely_duplicates(current_user, primary, [c.id for c in selected + matches])
    return render_htmx(
        "customers/merge.html", "customers/_merge_candidates.html",
        primary=customer_view(current_user, primary, region), record=primary, term=term,
        selected=[customer_view(current_user, c, region) for c in selected],
        matches=[customer_view(current_user, c, region) for c in matches],
        suggested=[customer_view(current_user, c, region) for c in suggested],
        blocked=_blocked_message(primary))


def _blocked_message(primary: Customer) -> str | None:
    try:
        merge_plan.check_mergeable(primary, [])
    except merge_plan.MergeError as error:
        return str(error)
    return None


@bp.route("/<int:customer_id>/merge/preview")
@requires("customers.merge")
def merge_preview(customer_id: int):
    """The field-by-field result before *Fusionner* is confirmed."""
    primary = customer_or_404(customer_id)
    return _preview(primary, _selected_ids())


def _preview(primary: Customer, secondary_ids: list[int], error: str | None = None, status: int = 200):
    region = ShopSettings.get().phone_region
    context = {"primary": customer_view(current_user, primary, region), "record": primary,
               "secondary_ids": secondary_ids, "error": error, "plan": None}
    try:
        secondary_ids = merge_plan.clean_secondary_ids(primary.id, secondary_ids)
        _primary, secondaries = merge_plan.load_for_merge(primary.id, secondary_ids)
        if len(secondaries) != len(secondary_ids):
            abort(404)
        plan = merge_plan.plan_merge(primary, secondaries)
    except merge_plan.MergeError as refused:
        context["error"] = str(refused)
        return render_htmx("customers/merge_preview.html", "customers/_merge_preview.html",
                           status=422, **context)
    context.update(
        plan=plan, rows=preview_rows(plan, current_user, region),
        phones=phone_texts(plan, current_user, region),
        secondaries=[customer_view(current_user, s, region) for s in plan.secondaries],
        versions={c.id: c.version for c in [primary, *plan.secondaries]})
    return render_htmx("customers/merge_preview.html", "customers/_merge_preview.html", status=status, **context)


@bp.post("/<int:customer_id>/merge")
@requires("customers.merge")
def merge_confirm(customer_id: int):
    """Seed 000, steps 6-7: *Fusionner*, then OK."""
    primary = customer_or_404(customer_id)
    ids = _selected_ids()
    versions = {}
    for customer_id_text, version in request.form.items():
        if customer_id_text.startswith("version-") and parse_id(customer_id_text[8:]) and version.isdigit():
            versions[parse_id(customer_id_text[8:])] = int(version)
    _merged, refused = commit_or_refusal(
        lambda: merging.merge_customers(primary.id, ids, employee_id=current_user.id, expected_versions=versions),
        merge_plan.MergeError)
    if refused is not None:
        primary = customer_or_404(customer_id)
        return _preview(primary, ids, error=str(refused), status=422)
    flash(ngettext("%(num)s dossier fusionné dans ce client. Le dossier secondaire est archivé.",
                   "%(num)s dossiers fusionnés dans ce client. Les dossiers secondaires sont archivés.",
                   len(ids)), "success")
    return redirect(url_for("customers.profile", customer_id=customer_id))


@bp.route("/duplicates")
@requires("customers.merge")
def duplicates():
    """*Doublons*: likely duplicate pairs, one click into the merge preview."""
    kinds = merge_candidates.duplicate_kinds(current_user)
    kind = request.args.get("kind", kinds[0] if kinds else "name")
    if kind not in kinds:
        abort(404)
    start = position_or_404("start")  # counts candidates (merge_candidates.find_duplicates)
    groups, next_start = merge_candidates.find_duplicates(kind, start)
    region = ShopSettings.get().phone_region
    views = {c.id: customer_view(current_user, c, region) for g in groups for c in g.customers}
    return render_htmx("customers/duplicates.html", "customers/_duplicates_results.html",
                       kinds=kinds, kind=kind, start=start, next_start=next_start, groups=groups, views=views,
                       kind_labels={"email": _("Même courriel"), "phone": _("Même téléphone"),
                                    "name": _("Même nom")})
