"""A merge's preview as one employee may see it: the field-by-field rows
(primary, each secondary, result) and the phone numbers before and after,
each value masked or left out by permissions.customer_view.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from blueprints.customers.merge_plan import FieldRule, MergePlan
from models import Customer
from core.permissions import customer_view


@dataclass
class PreviewRow:
    label: object
    primary: str
    secondaries: list[str]
    result: str
    from_secondary: bool


def _visible(rule: FieldRule, view) -> bool:
    if rule.visibility is None:
        return True
    if rule.visibility == "history":
        return view.history_visible
    return getattr(view, f"{rule.visibility}_level") != "none"


def _shown(rule: FieldRule, view, customer: Customer) -> str:
    """A field's value as this employee may see it (masked, or nothing)."""
    if rule.key == "email":
        return view.email or ""
    if rule.key == "address":
        if view.address is None:
            return ""
        parts = [view.address.line1, view.address.line2,
                 " ".join(p for p in (view.address.postal_code, view.address.city) if p), view.address.country]
        return ", ".join(p for p in parts if p)
    if rule.key == "comments":
        return view.comments or ""
    if rule.key == "birthday":
        birthday = customer.birthday_value
        if birthday is None:
            return ""
        from core.formatting import format_date  # the shop's date style (issue 14)
        if birthday.year is not None:
            return format_date(birthday.as_date(), "medium")
        from babel.dates import format_skeleton
        from flask_babel import get_locale
        return format_skeleton("MMMd", birthday.as_date(), locale=get_locale())
    value = getattr(customer, rule.columns[0])
    if isinstance(value, (date, datetime)):
        from core.formatting import format_date  # the shop's date style (issue 14)
        return format_date(value, "medium")
    return value or ""


def preview_rows(plan: MergePlan, employee, region: str) -> list[PreviewRow]:
    """The field-by-field preview: primary, each secondary, result. A field the
    employee may not view is not a row at all."""
    views = {c.id: customer_view(employee, c, region) for c in [plan.primary, *plan.secondaries]}
    rows = []
    for outcome in plan.fields:
        rule = outcome.rule
        if not _visible(rule, views[plan.primary.id]):
            continue
        primary_text = _shown(rule, views[plan.primary.id], plan.primary)
        secondary_texts = [_shown(rule, views[s.id], s) for s in plan.secondaries]
        result = "" if outcome.source_id is None else _shown(rule, views[outcome.source_id],
                                                             plan.customer(outcome.source_id))
        rows.append(PreviewRow(rule.label, primary_text, secondary_texts, result,
                               outcome.source_id not in (None, plan.primary.id)))
    return rows


def phone_texts(plan: MergePlan, employee, region: str) -> dict | None:
    """Phone numbers before and after, as the employee may see them (None: no phone access)."""
    views = {c.id: customer_view(employee, c, region) for c in [plan.primary, *plan.secondaries]}
    if views[plan.primary.id].phone_level == "none":
        return None
    moved = {p.id for p in plan.phones_moved}

    def texts(customer_id):
        return [p.text for p in views[customer_id].phones if p.linked]

    result = texts(plan.primary.id) + [p.text for s in plan.secondaries for p in views[s.id].phones
                                       if p.linked and p.id in moved]
    return {"primary": texts(plan.primary.id), "secondaries": [texts(s.id) for s in plan.secondaries],
            "result": result}
