from flask import Blueprint

bp = Blueprint("loyalty", __name__, url_prefix="/loyalty")

# The members list; a member's panel; the points pages, the groups and the settings.
from blueprints.loyalty import (  # noqa: E402,F401
    routes,
    routes_groups,
    routes_panel,
    routes_points,
    routes_settings,
)
