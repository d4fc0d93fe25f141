from flask import render_template

from blueprints.team import bp
from permissions import requires


@bp.route("")
@requires("team.manage")
def index():
    return render_template("team/index.html")
