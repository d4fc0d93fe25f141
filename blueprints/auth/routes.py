from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from urllib.parse import urlsplit

from core import sessions
from core.audit import record
from blueprints.auth import bp
from blueprints.auth.forms import LoginForm, PasswordForm, SetupForm
from blueprints.auth.service import (PasswordChangeError, SignInThrottled, authenticate, change_password,
                                     create_owner, has_employees)
from extensions import db, limiter
from core.htmx import hx_redirect
from core.permissions import can, public, requires

# What an employee with a temporary password may still open: the page that
# replaces it, and the ways out.
_OPEN_WITH_TEMPORARY_PASSWORD = {"auth.password", "auth.logout", "auth.language", "static"}


def _home_url() -> str:
    if can(current_user, "customers.basic"):
        return url_for("customers.index")
    if can(current_user, "access.register"):
        return url_for("sales.new")
    return url_for("auth.account")


def _safe_next(target: str | None) -> str | None:
    # Only a path of this site: never an open redirect.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.before_app_request
def require_own_password():
    """A temporary password (new employee, reset) leads every page to the
    change-password page until the employee has chosen their own."""
    if request.endpoint in _OPEN_WITH_TEMPORARY_PASSWORD:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return hx_redirect(url_for("auth.password"))
    return None


@bp.route("/")
@requires()
def home():
    return redirect(_home_url())


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 401)
def login():
    if not has_employees():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(_home_url())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            employee = authenticate(form.email.data, form.password.data)
        except SignInThrottled as throttled:
            minutes = max(1, -(-throttled.seconds // 60))
            form.password.errors.append(ngettext(
                "Trop de tentatives pour cette adresse. Réessayez dans %(num)s minute.",
                "Trop de tentatives pour cette adresse. Réessayez dans %(num)s minutes.", minutes))
            return render_template("auth/login.html", form=form), 429
        if employee is not None:
            sessions.start(employee)
            record("sign_in", "employee", employee.id, employee_id=employee.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _home_url())
        db.session.commit()  # the failure counted against the address
        form.password.errors.append(_("Adresse courriel ou mot de passe incorrect."))
        return render_template("auth/login.html", form=form), 401
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@requires()
def logout():
    record("sign_out", "employee", current_user.id)
    db.session.commit()
    sessions.end()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    """The switch on the sign-in page and in the header. A signed-in employee's
    choice is kept on their record."""
    choice = request.form.get("language")
    if choice not in ("fr", "en"):
        return redirect(url_for("auth.login"))
    session["language"] = choice
    if current_user.is_authenticated:
        current_user.language = choice
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """First run: create the owner. Gone once any employee exists."""
    if has_employees():
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        owner = create_owner(form.name.data, form.email.data, form.password.data,
                             shop_name=form.shop_name.data, language=session.get("language", "fr"))
        record("employee_created", "employee", owner.id, employee_id=owner.id, details={"set": "owner"})
        db.session.commit()
        sessions.start(owner)
        flash(_("Bienvenue ! Votre boutique est prête."), "success")
        return redirect(url_for("customers.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/setup.html", form=form), status


@bp.route("/account")
@requires()
def account():
    return render_template("auth/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 422)
def password():
    """The employee's own password. Refusals count against the sign-in limit:
    a borrowed session must not become a way to guess the password."""
    form = PasswordForm()
    if form.validate_on_submit():
        employee = current_user._get_current_object()
        try:
            change_password(employee, form.current_password.data, form.new_password.data, form.confirm.data)
        except PasswordChangeError as error:
            for name, message in error.errors.items():
                form[name].errors.append(message)
        else:
            db.session.commit()
            # Every session of the employee was ended; this browser gets a new one.
            sessions.start(employee)
            flash(_("Votre mot de passe est changé."), "success")
            return redirect(_home_url())
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status
