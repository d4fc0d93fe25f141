"""The sales room: the sale screen at the counter, the transactions, refunds
and invoices. The Blueprint, and the route modules that register on it."""
from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/sales")

from blueprints.sales import (  # noqa: E402,F401
    routes, routes_counter_customers, routes_invoices, routes_transactions)
