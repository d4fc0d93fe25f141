"""The Flask extensions, created unbound so that every module can import them."""
from functools import wraps

from flask import Flask, has_app_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy.orm import DeclarativeBase

from core.french import ComptoirBabel


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = ComptoirBabel()  # French plural rule for the French msgids (core/french.py)
# Storage defaults to memory (one process); RATELIMIT_STORAGE_URI points it at
# Redis when several app servers share the throttle.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# The job queue (Huey) for long work: imports, sweeps. Its storage is chosen by
# init_queue(): a SQLite file under instance/ by default (nothing to install),
# Redis when REDIS_URL is set (several app servers, one queue). Tests run the
# tasks in the request (immediate mode) unless they start a real consumer.
huey = Huey("comptoir", storage_class=MemoryStorage, results=False, utc=True)
_queue_app: Flask | None = None


def init_queue(app: Flask) -> None:
    global _queue_app
    _queue_app = app
    url = app.config.get("QUEUE_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": url.removeprefix("sqlite:///") or "queue.sqlite3"}
    huey._immediate = bool(app.config.get("QUEUE_IMMEDIATE"))
    huey.storage = huey.create_storage()


def with_app_context(function):
    """A task runs inside the application: in the consumer, which has none
    of its own, in the app that init_queue() was given."""
    @wraps(function)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return function(*args, **kwargs)
        with _queue_app.app_context():
            try:
                return function(*args, **kwargs)
            finally:
                db.session.remove()
    return wrapper
