"""The groups (the directory's groups too): created, renamed and deleted on
the Groupes page, a member added or taken out in the panel's tag editor,
suggested as a name is typed, counted and listed."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from blueprints.loyalty.rules import LoyaltyError, clean_name
from core.audit import record
from core.pagination import paginate
from core.textkeys import fold
from extensions import db
from models import Customer, Group, customer_groups

GROUP_NAME_MAX = 80


def _clean_group_name(name: str | None) -> str:
    name = clean_name(name)
    if not name:
        raise LoyaltyError(_("Saisissez le nom du groupe."), "name")
    if len(name) > GROUP_NAME_MAX:
        raise LoyaltyError(_("%(max)s caractères au plus.", max=GROUP_NAME_MAX), "name")
    return name


def find_group(name: str) -> Group | None:
    """A group by name, ignoring case ("vip" finds "VIP", "élite" finds "Élite").
    A shop has tens of groups, not thousands: comparing in Python is exact on
    both databases (SQLite's lower() knows ASCII only)."""
    exact = db.session.scalar(select(Group).where(Group.name == name))
    if exact is not None:
        return exact
    wanted = name.casefold()
    return next((group for group in db.session.scalars(select(Group))
                 if group.name.casefold() == wanted), None)


def suggest_groups(term: str, limit: int = 10) -> list[Group]:
    term = fold(term)
    groups = db.session.scalars(select(Group).order_by(Group.name)).all()
    if not term:
        return list(groups[:limit])
    return [group for group in groups if term in fold(group.name)][:limit]


def create_group(name: str, employee_id: int | None) -> Group:
    name = _clean_group_name(name)
    if find_group(name) is not None:
        raise LoyaltyError(_("Un groupe porte déjà ce nom."), "name")
    group = Group(name=name)
    try:
        with db.session.begin_nested():
            db.session.add(group)
    except IntegrityError:
        raise LoyaltyError(_("Un groupe porte déjà ce nom."), "name")
    record("group_created", "group", group.id, employee_id=employee_id)
    return group


def rename_group(group: Group, name: str, employee_id: int | None) -> Group:
    name = _clean_group_name(name)
    other = find_group(name)
    if other is not None and other.id != group.id:
        raise LoyaltyError(_("Un groupe porte déjà ce nom."), "name")
    if group.name != name:
        group.name = name
        db.session.flush()
        record("group_renamed", "group", group.id, employee_id=employee_id)
    return group


def group_member_count(group_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(customer_groups)
                             .where(customer_groups.c.group_id == group_id))


def delete_group(group: Group, employee_id: int | None) -> int:
    """Delete a group; returns how many customers it was taken from."""
    count = group_member_count(group.id)
    db.session.execute(delete(customer_groups).where(customer_groups.c.group_id == group.id))
    db.session.delete(group)
    db.session.flush()
    record("group_deleted", "group", group.id, count=count, employee_id=employee_id)
    return count


def groups_with_counts() -> list[tuple[Group, int]]:
    counts = (select(customer_groups.c.group_id, func.count().label("n"))
              .group_by(customer_groups.c.group_id).subquery())
    rows = db.session.execute(select(Group, func.coalesce(counts.c.n, 0))
                              .outerjoin(counts, counts.c.group_id == Group.id)
                              .order_by(Group.name))
    return [(group, count) for group, count in rows]


def add_to_group(customer: Customer, name: str, employee_id: int | None) -> tuple[Group, bool]:
    """The tag editor: Enter on a name adds the customer to that group,
    creating the group when none has this name. Returns (group, created)."""
    name = _clean_group_name(name)
    group = find_group(name)
    created = group is None
    if created:
        group = create_group(name, employee_id)
    if all(g.id != group.id for g in customer.groups):
        customer.groups.append(group)
        db.session.flush()
        record("group_member_added", "customer", customer.id, employee_id=employee_id,
               details={"group_id": group.id})
    return group, created


def remove_from_group(customer: Customer, group_id: int, employee_id: int | None) -> None:
    group = next((g for g in customer.groups if g.id == group_id), None)
    if group is None:
        return
    customer.groups.remove(group)
    db.session.flush()
    record("group_member_removed", "customer", customer.id, employee_id=employee_id,
           details={"group_id": group_id})


def group_customers(group_id: int, page: int, per_page: int):
    stmt = (select(Customer).join(customer_groups, customer_groups.c.customer_id == Customer.id)
            .where(customer_groups.c.group_id == group_id, Customer.anonymised == False)  # noqa: E712
            .order_by(Customer.sort_name, Customer.id))
    return paginate(stmt, page, per_page)
