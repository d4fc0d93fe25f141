"""Every foreign key whose parent rows get deleted has an index led by its
column, in the migrated database: the database looks up the children of each
deleted row (ON DELETE CASCADE / SET NULL), and without that index each lookup
reads the whole child table. customer_consents.event_id had none: an
anonymisation run over a million customers never ended."""
from sqlalchemy import inspect

from extensions import db

# Rows the app never deletes: employees are deactivated, locations kept, sales
# refunded or voided.
NEVER_DELETED = {"employees", "locations", "sales"}
# A small table: its key starts with the kind of item ignored.
NOT_NEEDED = {("quality_ignored", "customer_id")}


def test_deleted_parents_find_their_children_by_an_index(app):
    with app.app_context():
        inspector = inspect(db.engine)
        missing = []
        for table in inspector.get_table_names():
            led_by = {index["column_names"][0] for index in inspector.get_indexes(table) if index["column_names"]}
            primary = inspector.get_pk_constraint(table)["constrained_columns"]
            if primary:
                led_by.add(primary[0])
            for key in inspector.get_foreign_keys(table):
                on_delete = (key.get("options") or {}).get("ondelete", "").upper()
                column = key["constrained_columns"][0]
                if on_delete in ("CASCADE", "SET NULL") and column not in led_by \
                        and key["referred_table"] not in NEVER_DELETED and (table, column) not in NOT_NEEDED:
                    missing.append(f"{table}.{column} -> {key['referred_table']} ({on_delete})")
        assert missing == [], "\n".join(missing)
