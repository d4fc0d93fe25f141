"""The Flask extensions, created unbound so that every module can import them."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage defaults to memory (one process); RATELIMIT_STORAGE_URI points it at
# Redis when several app servers share the throttle.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
