"""phones.display: how a page shows a number, written with it

Revision ID: f13p00000001
Revises: f15c00000001
Create Date: 2026-12-01 15:00:00

Issue 13: a page of 50 customers formatted every phone with phonenumbers
(parse + format) on every request. The display form is now stored when a
number is written (phones.display_form); this fills it for the numbers
already there, with the shop's region, in batches (a plain ALTER TABLE ADD
COLUMN, nullable: no table copy on SQLite).
"""
import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = 'f13p00000001'
down_revision = 'f15c00000001'
branch_labels = None
depends_on = None

BATCH = 5000


def _display(e164, raw, region):
    """phones.display_form, as it is today (a migration keeps its own copy)."""
    if not e164:
        return raw or ""
    number = phonenumbers.parse(e164, None)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if phonenumbers.region_code_for_number(number) == region
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def upgrade():
    op.add_column('phones', sa.Column('display', sa.String(length=40), nullable=True))
    connection = op.get_bind()
    region = connection.execute(sa.text("SELECT phone_region FROM shop_settings WHERE id = 1")).scalar() or "FR"
    phones = sa.table('phones', sa.column('id', sa.Integer), sa.column('display', sa.String))
    last = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, e164, raw FROM phones WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH}).all()
        if not rows:
            break
        connection.execute(phones.update().where(phones.c.id == sa.bindparam('pid'))
                           .values(display=sa.bindparam('shown')),
                           [{"pid": pid, "shown": _display(e164, raw, region)[:40]} for pid, e164, raw in rows])
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table('phones') as batch_op:
        batch_op.drop_column('display')
