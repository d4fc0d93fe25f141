"""The filters of a CustomerQuery as SQL conditions (filter_conditions),
and the customers of the sales the sale filters match (sale_matches).

No filter reads a contact field, so a filter reveals nothing an employee may
not view.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import extract, or_, select

from blueprints.customers.search_query import SALE_FILTERS, CustomerQuery
from blueprints.customers.search_terms import is_sqlite
from core.textkeys import fold
from models import Customer, CustomerPurchase, Sale, customer_groups


def _utc_bounds(filters: dict) -> tuple[datetime | None, datetime | None]:
    """The period as naive UTC datetimes: from the start of the first day to
    the end of the last one, in the shop's time zone."""
    def to_utc(day: date) -> datetime:
        moment = datetime.combine(day, time.min)
        try:
            from flask_babel import to_utc as babel_to_utc
            return babel_to_utc(moment)
        except (RuntimeError, KeyError, AttributeError):  # no app context: take it as UTC
            return moment
    start = end = None
    if "period_from" in filters:
        start = to_utc(date.fromisoformat(filters["period_from"]))
    if "period_to" in filters:
        end = to_utc(date.fromisoformat(filters["period_to"]) + timedelta(days=1))
    return start, end


def sale_matches(query: CustomerQuery, per_customer: bool = False):
    """The customer ids of the sales matching every sale filter at once (one
    sale must: "bought a croissant at Centre, by card, in May"), and the
    column holding them. With an item, from the purchase index: a typed start
    becomes the whole item names it begins, each one B-tree range on
    (name, date); voided sales are not in that index.

    `per_customer`: the select will be asked for one customer at a time
    (EXISTS). SQLite, without statistics, would then read a location's,
    a payment method's or a card's index (up to a third of all sales) rather
    than the customer's own sales; those columns are hidden from its planner."""
    from core.purchase_index import item_keys
    filters = query.filters

    def sale_column(column):
        if not (per_customer and is_sqlite()):
            return column
        return column + 0 if column is Sale.location_id else column.concat("")  # "x + 0", "x || ''": no index

    if "item" in filters:
        purchase = CustomerPurchase
        customer_id, moment = purchase.customer_id, purchase.sold_at
        stmt = select(customer_id).where(purchase.name_key.in_(item_keys(fold(filters["item"]))))
        if any(key in filters for key in SALE_FILTERS if key != "item"):
            stmt = stmt.join(Sale, Sale.id == purchase.sale_id)
    else:
        customer_id, moment = Sale.customer_id, Sale.created_at
        stmt = select(customer_id).where(customer_id.is_not(None), Sale.status != "voided")
    if "location" in filters:
        stmt = stmt.where(sale_column(Sale.location_id) == int(filters["location"]))
    if "payment" in filters:
        stmt = stmt.where(sale_column(Sale.payment_method) == filters["payment"])
    if "card_brand" in filters:
        stmt = stmt.where(sale_column(Sale.card_brand) == filters["card_brand"])
    if "card_last4" in filters:
        stmt = stmt.where(sale_column(Sale.card_last4) == filters["card_last4"])
    start, end = _utc_bounds(filters)
    if start is not None:
        stmt = stmt.where(moment >= start)
    if end is not None:
        stmt = stmt.where(moment < end)
    return stmt, customer_id


def filter_conditions(query: CustomerQuery, sales: str | None = "in") -> list:
    """SQL conditions for the query's filters (none reads a contact field).

    The sale filters become `sales`: "in" (Customer.id IN the matching
    sales: quick when few customers match), "exists" (a probe per customer,
    one index seek each: quick when walking a long list in order, stopping at
    its page), or None (left out: customer_page counts them its own way)."""
    filters = query.filters
    conditions = []
    if "group" in filters:
        conditions.append(Customer.id.in_(
            select(customer_groups.c.customer_id).where(customer_groups.c.group_id == int(filters["group"]))))
    if query.has_sale_filters:
        if sales is not None:
            matches, customer_id = sale_matches(query, per_customer=sales == "exists")
            conditions.append(matches.where(customer_id == Customer.id).exists() if sales == "exists"
                              else Customer.id.in_(matches))
    else:
        start, end = _utc_bounds(filters)
        column = Customer.first_visit_at if filters.get("period_on") == "first_visit" else Customer.last_visit_at
        if start is not None:
            conditions.append(column >= start)
        if end is not None:
            conditions.append(column < end)
    if "points_min" in filters:
        conditions.append(Customer.points_balance >= int(filters["points_min"]))
    if "points_max" in filters:
        conditions.append(Customer.points_balance <= int(filters["points_max"]))
    if "origin" in filters:
        conditions.append(Customer.origin == filters["origin"])
    # Consent to email / SMS marketing (consent.py): "yes" is the only state
    # that lets a list be used to contact people.
    from blueprints.customers.consent import condition as consent_condition
    for key, purpose in (("email_consent", "email_marketing"), ("sms_consent", "sms_marketing")):
        if key in filters:
            conditions.append(consent_condition(purpose, filters[key]))
    if "birthday_month" in filters:
        # A full date or a year-less one (core/birthdays.py).
        month = int(filters["birthday_month"])
        conditions.append(or_(extract("month", Customer.birthday) == month, Customer.birthday_month == month))
    if "review" in filters:
        conditions.append(Customer.needs_review.is_(True))
    return conditions
