"""Paging a select: one page of rows and the total, for every list."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt: Select, page: int, per_page: int, scalars: bool = True) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = min(max(1, page), max(1, -(-total // per_page)))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, total=total, page=page, per_page=per_page)
