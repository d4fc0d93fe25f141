"""Configuration read from the environment; nothing secret lives in the code."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, or generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'comptoir.sqlite3'}"
    # Accept the usual postgres:// spellings and route them to psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str, options: dict) -> dict:
    """The engine's options for this database. PostgreSQL without JIT: it
    compiles a query whenever the planner's cost estimate passes
    jit_above_cost, which a short query over a million rows can (a LATERAL
    join's estimate): 175 ms of compiling for a 3 ms query. Every query here
    is a short one; the export streams rows and gains nothing from it."""
    if url.startswith("postgresql"):
        return {**options, "connect_args": {**options.get("connect_args", {}), "options": "-c jit=off"}}
    return options


def build_config(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # Enforced on the server's session row (core/sessions.py); the cookie lives no longer.
        "SESSION_IDLE_TIMEOUT": timedelta(hours=float(os.environ.get("SESSION_IDLE_HOURS", "12"))),
        "SESSION_ABSOLUTE_LIFETIME": timedelta(days=float(os.environ.get("SESSION_MAX_DAYS", "7"))),
        # The cookie is written when the session changes (sign-in, language), not
        # signed and sent again with every answer: it lives as long as the
        # server's row may (SESSION_ABSOLUTE_LIFETIME), so sliding it forward
        # kept nothing alive, and cost every page a tenth of a millisecond.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=float(os.environ.get("SESSION_MAX_DAYS", "7"))),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A counter tablet stays open all day: tie the CSRF token to the session,
        # not to a one-hour clock.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("COMPTOIR_TIMEZONE", "Europe/Paris"),
        "LANGUAGES": ["fr", "en"],
        # Shared by every worker and server when Redis is given; memory:// counts per process.
        "RATELIMIT_STORAGE_URI": (os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL")
                                  or "memory://"),
        # Redis down: count in memory meanwhile; the database throttle still holds.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # The per-address throttle kept in the database (blueprints/auth/throttle.py).
        "LOGIN_FREE_FAILURES": int(os.environ.get("LOGIN_FREE_FAILURES", "5")),
        "LOGIN_FIRST_DELAY_SECONDS": int(os.environ.get("LOGIN_FIRST_DELAY_SECONDS", "30")),
        "LOGIN_MAX_DELAY_SECONDS": int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "900")),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
        # The job queue: Redis when REDIS_URL is set, else a SQLite file beside the database.
        "QUEUE_URL": (os.environ.get("QUEUE_URL") or os.environ.get("REDIS_URL")
                      or f"sqlite:///{instance_path / 'queue.sqlite3'}"),
        # Staged import rows moved per transaction on SQLite (the till's sales pass in between).
        "IMPORT_COMMIT_CHUNK": int(os.environ.get("IMPORT_COMMIT_CHUNK", "500")),
        # A text field of a multipart form beyond this is a 413 (werkzeug's default, said
        # explicitly); so is a form without files beyond MAX_FORM_BYTES (core/guards.py).
        "MAX_FORM_MEMORY_SIZE": 500 * 1024,
        "MAX_FORM_BYTES": 1024 * 1024,
        # Below gunicorn's request line limit (run.sh: 8190), so the app answers first.
        "MAX_URL_LENGTH": 4096,
        "PAGE_SIZE": 50,
        # How long a merge or an import can be undone (issue 15), in days.
        "UNDO_DAYS": int(os.environ.get("UNDO_DAYS", "30")),
    }
