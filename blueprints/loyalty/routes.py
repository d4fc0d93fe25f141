from flask import render_template

from blueprints.loyalty import bp
from permissions import requires


@bp.route("")
@requires("customers.basic")
def index():
    return render_template("loyalty/index.html")
