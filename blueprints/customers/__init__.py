from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

# The directory and the profile; then merging, privacy (delete, export) and import.
from blueprints.customers import (  # noqa: E402,F401
    routes,
    routes_consent,
    routes_import,
    routes_merge,
    routes_privacy,
    routes_quality,
    routes_undo,
)
