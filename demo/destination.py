"""Where the demo may be loaded: only into the demo database, and with
`flask demo --if-empty` only while nobody works there yet.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from config import database_url
from extensions import db
from models import Employee


def is_demo_database(app) -> bool:
    """The demo belongs to the default database (instance/comptoir.sqlite3), or
    to one named with COMPTOIR_DEMO=1 (`./run.sh --demo`); never to a database a
    shop set up with DATABASE_URL."""
    if os.environ.get("COMPTOIR_DEMO") == "1":
        return True
    default = f"sqlite:///{Path(app.instance_path) / 'comptoir.sqlite3'}"
    return not os.environ.get("DATABASE_URL") and app.config["SQLALCHEMY_DATABASE_URI"] in (
        default, database_url(Path(app.instance_path)))


def shop_is_empty() -> bool:
    """True when nobody works here yet (the demo may be loaded)."""
    return not db.session.scalar(select(func.count(Employee.id)))
