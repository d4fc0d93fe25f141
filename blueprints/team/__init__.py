"""The team room (/team): employees, permission sets and their matrix, the audit trail."""
from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/team")

from blueprints.team import routes  # noqa: E402,F401
