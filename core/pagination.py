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
    # True when counting stopped at the limit: the list says "more than N".
    total_is_capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.total_is_capped and len(self.items) == self.per_page)


def paginate(stmt: Select, page: int, per_page: int, scalars: bool = True,
             count_limit: int | None = None) -> Page:
    """One page of `stmt`. With count_limit, counting stops there: an exact
    count of a broad search over a million rows costs more than the page."""
    counted = stmt.order_by(None)
    if count_limit:
        counted = counted.limit(count_limit + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    capped = bool(count_limit) and total > count_limit
    if capped:
        total = count_limit
    last_page = max(1, -(-total // per_page))
    page = max(1, page) if capped else min(max(1, page), last_page)
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, total=total, page=page, per_page=per_page, total_is_capped=capped)
