"""Configuration read from the environment; nothing secret lives in the code."""
import os
import secrets
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


def build_config(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A counter tablet stays open all day: tie the CSRF token to the session,
        # not to a one-hour clock.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("COMPTOIR_TIMEZONE", "Europe/Paris"),
        "LANGUAGES": ["fr", "en"],
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
        # The job queue: Redis when REDIS_URL is set, else a SQLite file beside the database.
        "QUEUE_URL": (os.environ.get("QUEUE_URL") or os.environ.get("REDIS_URL")
                      or f"sqlite:///{instance_path / 'queue.sqlite3'}"),
        # Staged import rows moved per transaction on SQLite (the till's sales pass in between).
        "IMPORT_COMMIT_CHUNK": int(os.environ.get("IMPORT_COMMIT_CHUNK", "2000")),
        "PAGE_SIZE": 50,
        # How long a merge or an import can be undone (issue 15), in days.
        "UNDO_DAYS": int(os.environ.get("UNDO_DAYS", "30")),
    }
