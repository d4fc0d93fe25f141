"""Comptoir: the application factory. `flask --app app ...` finds it, and gunicorn
serves `"app:create_app()"` (run.sh, README)."""
import gc
import sqlite3
from pathlib import Path

from flask import Flask, g, has_request_context, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import build_config, engine_options
from extensions import babel, csrf, db, init_queue, limiter, login_manager, migrate


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite as the embedded default: integrity, concurrency, and no deleted
    personal data left behind in free pages."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(build_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config["SQLALCHEMY_ENGINE_OPTIONS"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_queue(app)
    from core.i18n import compile_catalogues, install_template_gettext
    compile_catalogues(_translation_directories())
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=";".join(_translation_directories()))
    install_template_gettext(app)

    from core import guards
    guards.init_app(app)  # before the blueprints: their <int:...> rules use its converter

    import models  # noqa: F401  (registers every table)
    from core import search_index  # noqa: F401  (keeps the search index right after ORM changes)
    from blueprints.customers import tasks  # noqa: F401  (registers the queue's tasks)
    from blueprints.auth import bp as auth_bp
    from blueprints.customers import bp as customers_bp
    from blueprints.loyalty import bp as loyalty_bp
    from blueprints.sales import bp as sales_bp
    from blueprints.team import bp as team_bp

    for blueprint in (auth_bp, customers_bp, loyalty_bp, sales_bp, team_bp):
        app.register_blueprint(blueprint)

    from core import sessions
    sessions.init_app(app)
    _register_template_helpers(app)
    _register_error_handlers(app)
    _register_headers(app)
    from cli import register_cli
    register_cli(app)
    _freeze_after_warm_up(app)
    return app


# Requests after which what the process holds is frozen (see below).
FREEZE_AFTER = (1, 10, 100)
# Allocations between two collections of the youngest generation (CPython: 700).
# A page of fifty rows allocates a few thousand objects that their reference
# counts free as soon as the answer is sent; collecting every 700 walked them
# several times a request for no garbage (a thirtieth of the directory's
# fragment). Cycles still go, a little later.
YOUNG_COLLECTION_EVERY = 10_000


def _freeze_after_warm_up(app: Flask) -> None:
    """What the first requests leave (modules imported on first use, Babel's
    and phonenumbers' data, compiled templates and SQL) lives as long as the
    process. Frozen out of the garbage collector's way, the collections that
    a page's allocations trigger no longer walk it: the directory's fragment
    of 50 customers took 23 ms of CPU, 15 ms with this. Once collected first,
    so no garbage is frozen; each freeze costs one collection, three times.
    After the last, the youngest generation is collected less often
    (YOUNG_COLLECTION_EVERY)."""
    served = [0]

    @app.teardown_request
    def _count(_error=None):
        served[0] += 1
        if served[0] in FREEZE_AFTER:
            gc.collect()
            gc.freeze()
            if served[0] == FREEZE_AFTER[-1]:
                gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])


def _translation_directories() -> list[str]:
    """The one catalogue, extracted over the whole tree (scripts/catalogue.sh)."""
    return [str(Path(__file__).parent / "translations")]


def _select_locale() -> str:
    languages = ("fr", "en")
    if not has_request_context():  # a flask command
        return "fr"
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    # First visit: the browser's language if we speak it, French when unsure.
    # The choice made with the switch (kept in the session, and on the
    # employee's record once signed in) wins over the browser from then on.
    return request.accept_languages.best_match(languages) or "fr"


def _register_template_helpers(app: Flask) -> None:
    from core import formatting
    from core.permissions import can, field_level

    def demo_shop() -> bool:
        """Whether this is the demo shop (its accounts' password is public), once
        a request; an error page without the database does without it."""
        if "_demo_shop" not in g:
            try:
                from demo.accounts import has_demo_accounts
                g._demo_shop = has_demo_accounts()
            except Exception:  # noqa: BLE001  (the database is down: say nothing)
                g._demo_shop = False
        return g._demo_shop

    @app.context_processor
    def inject():
        return {
            "demo_shop": demo_shop,
            "can": lambda capability: can(current_user, capability),
            "field_level": lambda name, customer=None: field_level(current_user, name, customer),
            "current_locale": str(get_locale()),
        }

    @app.template_global()
    def url_before_id(endpoint: str, key: str) -> str:
        """url_for(endpoint, key=<an id>) without the id that ends it, for a
        list that links every row: built once, each row's id written after it
        (url_for per row cost the directory's fifty rows a fifth of their
        rendering)."""
        marker = "2147483647"  # the largest id (core/guards.py IdConverter): never in a route's own text
        url = url_for(endpoint, **{key: int(marker)})
        if not url.endswith(marker):
            raise ValueError(f"{endpoint}'s URL does not end with its {key}")
        return url[:-len(marker)]

    formatting.register(app)


def _register_error_handlers(app: Flask) -> None:
    from flask_babel import gettext as _
    from core.htmx import is_htmx

    def error_page(status: int, title: str, message: str):
        if is_htmx():
            return render_template("errors/_message.html", message=message), status
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(403)
    def forbidden(_error):
        return error_page(403, _("Accès refusé"),
                          _("Votre ensemble d’autorisations ne permet pas cette action."))

    @app.errorhandler(404)
    def not_found(_error):
        return error_page(404, _("Page introuvable"), _("Cette page n’existe pas ou plus."))

    @app.errorhandler(413)
    def too_large(_error):
        if request.mimetype == "multipart/form-data":
            return error_page(413, _("Fichier trop volumineux"),
                              _("Le fichier dépasse la taille maximale acceptée."))
        return error_page(413, _("Requête trop volumineuse"),
                          _("Le formulaire envoyé dépasse la taille maximale acceptée. Raccourcissez les textes."))

    # The request limits are answered here, in the user's language, before a
    # server in front answers them in its own words (core/guards.py, run.sh).
    @app.errorhandler(400)
    def bad_request(_error):
        return error_page(400, _("Requête invalide"),
                          _("La requête envoyée est illisible. Rechargez la page et réessayez."))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return error_page(405, _("Action impossible"), _("Cette adresse ne permet pas cette action."))

    @app.errorhandler(414)
    def uri_too_long(_error):
        return error_page(414, _("Adresse trop longue"),
                          _("L’adresse demandée est trop longue. Raccourcissez la recherche et réessayez."))

    @app.errorhandler(429)
    def too_many(_error):
        return error_page(429, _("Trop de tentatives"),
                          _("Trop de tentatives de connexion. Réessayez dans une minute."))

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return error_page(400, _("Session expirée"),
                          _("Le formulaire a expiré. Rechargez la page et réessayez."))

    from core.guards import ControlCharacterRefused, field_label

    @app.errorhandler(ControlCharacterRefused)
    def control_character(error):
        return error_page(400, _("Caractère non autorisé"),
                          _("Le champ « %(field)s » contient un caractère de contrôle invisible "
                            "(comme un octet nul) qui ne peut pas être enregistré. Retirez-le et réessayez.",
                            field=field_label(error.field)))

    def without_database(render):
        """Render an error answer even when the database cannot be reached:
        first as usual, then, if that needs the database and fails, as a
        signed-out page (the employee is not loaded; the language comes from
        the cookie session, where sign-in put it)."""
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001  (the connection may be gone)
            pass
        try:
            return render()
        except Exception:  # noqa: BLE001
            app.logger.exception("error page rendered without the database")
        _forget_employee()
        return render()

    @app.errorhandler(500)
    def server_error(_error):
        return without_database(lambda: error_page(
            500, _("Erreur"), _("Une erreur est survenue ; rien n’a été enregistré.")))

    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(_error):
        # An optimistic-lock conflict no service turned into a message: a 409, not a 500.
        return without_database(lambda: error_page(
            409, _("Modifié entre-temps"),
            _("Ces données ont été modifiées entre-temps ; rien n’a été enregistré. "
              "Rechargez la page pour voir l’état actuel.")))

    from sqlalchemy.exc import InterfaceError, OperationalError

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database is down, restarting or locked: nothing was written. The
        # page must not need it; htmx retries a GET after Retry-After (app.js).
        app.logger.error("database unavailable: %s", error)
        _forget_employee()
        page, status = without_database(lambda: error_page(
            503, _("Service indisponible"),
            _("Le service est momentanément indisponible. Réessayez dans quelques instants.")))
        response = app.make_response((page, status))
        response.headers["Retry-After"] = "5"
        return response


def _forget_employee() -> None:
    """Render the rest of this request as signed out, without loading the
    employee (or reloading an expired one) from the database."""
    g._login_user = login_manager.anonymous_user()


def _register_headers(app: Flask) -> None:
    from core.htmx import add_vary_header

    @app.after_request
    def headers(response):
        add_vary_header(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # A referrer is needed by Flask-WTF's CSRF check over HTTPS.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
        return response


def __getattr__(name: str):
    """`app` is built on first use, so importing this module has no side effect."""
    if name in ("app", "application"):
        instance = create_app()
        globals()[name] = instance
        return instance
    raise AttributeError(name)
