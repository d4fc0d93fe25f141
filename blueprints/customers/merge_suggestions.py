"""The merge screen's first offer (issue 14): the likely duplicates of the
primary that the Doublons page would show (same email, linked phone number or
accent- and case-free name), before asking to search. Only the kinds the
employee may look at are used, as on the Doublons page; a record already
merged into another, or deleted, is never offered."""
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from blueprints.customers.merge_candidates import duplicate_kinds
from extensions import db
from models import Customer, Phone

LIMIT = 10


def likely_duplicates(employee, primary: Customer, exclude_ids: list[int] = ()) -> list[Customer]:
    kinds = duplicate_kinds(employee)
    conditions = []
    if "email" in kinds and primary.email_key:
        conditions.append(Customer.email_key == primary.email_key)
    if "name" in kinds and primary.name_key:
        conditions.append(Customer.name_key == primary.name_key)
    if "phone" in kinds:
        numbers = [p.e164 for p in primary.phones if p.linked and p.e164]
        if numbers:
            conditions.append(Customer.id.in_(
                select(Phone.customer_id).where(Phone.e164.in_(numbers), Phone.linked.is_(True))))
    if not conditions:
        return []
    stmt = (select(Customer)
            .where(or_(*conditions), Customer.id != primary.id, Customer.anonymised.is_(False),
                   Customer.merged_into_id.is_(None))
            .options(selectinload(Customer.phones), selectinload(Customer.groups))
            .order_by(Customer.archived, Customer.id).limit(LIMIT))
    if exclude_ids:
        stmt = stmt.where(Customer.id.not_in(list(exclude_ids)))
    return list(db.session.scalars(stmt))
