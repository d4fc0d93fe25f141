"""The data-quality inbox's memory (issue 15): the items an employee chose to
ignore. Ids only: nothing here says anything about the person."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow


class QualityIgnored(db.Model):
    """One "ignorer" of the inbox: this kind of item, on this customer (and,
    for a phone or a duplicate pair, this phone or other customer: subject_id,
    0 when the item is about the customer as a whole), is not shown again."""
    __tablename__ = "quality_ignored"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(primary_key=True, default=0)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    ignored_at: Mapped[datetime] = mapped_column(default=utcnow)


from models import quality_rules  # noqa: E402  (the partial indexes are declared on the tables defined above)

quality_rules.declare(db.metadata.tables)
