"""The database connection's settings (config.engine_options), on the
database the suite runs on."""
from sqlalchemy import text

from config import engine_options
from extensions import db


def test_postgresql_runs_without_jit_and_sqlite_gets_no_postgresql_option(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # JIT compiled the inbox's typo lookup for 175 ms (a 3 ms query).
            assert db.session.execute(text("SHOW jit")).scalar() == "off"
        else:
            assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
            assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_engine_options_keep_what_was_set():
    options = engine_options("postgresql+psycopg://x/y", {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}})
    assert options == {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5, "options": "-c jit=off"}}
    assert engine_options("sqlite:///x", {"pool_pre_ping": True}) == {"pool_pre_ping": True}
