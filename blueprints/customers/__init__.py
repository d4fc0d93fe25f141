from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

# The directory, the profile, editing and adding; then consent, import, merging,
# privacy (delete, export), the quality inbox and undo.
from blueprints.customers import (  # noqa: E402,F401
    routes_adding,
    routes_consent,
    routes_directory,
    routes_editing,
    routes_import,
    routes_merge,
    routes_privacy,
    routes_profile,
    routes_quality,
    routes_undo,
)
