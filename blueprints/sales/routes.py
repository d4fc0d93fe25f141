from flask import render_template

from blueprints.sales import bp
from permissions import requires


@bp.route("")
@requires("access.register")
def index():
    return render_template("sales/index.html")


@bp.route("/new")
@requires("access.register")
def new():
    return render_template("sales/index.html")
