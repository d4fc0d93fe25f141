"""The directory: the customer list, its search as you type, filters, sort
and paging (the whole query in the URL). The rules are in search.py and the
search_*.py modules beside it."""
from flask import current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core import purchase_index
from blueprints.customers import bp
from blueprints.customers.light_rows import page_records
from blueprints.customers.routes_shared import shop_region
from blueprints.customers.search import customer_page
from blueprints.customers.search_query import CustomerQuery
from extensions import db
from core.htmx import is_htmx, render_htmx
from models import Group, Location
from models.customers import ORIGINS
from models.sales import CARD_BRANDS, PAYMENT_METHODS
from core.permissions import field_level, requires, row_views
from core.pagination import COUNT_CAP

# Counting a million customers exactly takes 90 ms on PostgreSQL (30 ms on
# SQLite) on every page; up to this many it takes a few.
LIST_COUNT_CAP = 100_000
# Item names offered by the item filter (a datalist the browser narrows as one types).
ITEM_SUGGESTIONS = 500


@bp.route("")
@requires("customers.basic")
def index():
    """The directory: a full page, or only the results for htmx (search as you
    type, filters, sort, paging). The whole query is in the URL."""
    query = CustomerQuery.from_args(request.args)
    region = shop_region()
    me = current_user._get_current_object()  # once: each use of the proxy asks Flask-Login again
    fragment = is_htmx()
    # A search or filters stop counting past COUNT_CAP ("Plus de 1 000
    # clients"), the plain list past LIST_COUNT_CAP.
    page = customer_page(me, query, region, current_app.config["PAGE_SIZE"],
                         count_limit=COUNT_CAP if query.q or query.filters else LIST_COUNT_CAP,
                         load=page_records)
    context = {"query": query, "page": page, "rows": row_views(me, page.items, region),
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
