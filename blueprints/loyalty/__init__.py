from flask import Blueprint

bp = Blueprint("loyalty", __name__, url_prefix="/loyalty")

from blueprints.loyalty import routes, routes_settings  # noqa: E402,F401
