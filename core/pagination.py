"""Paging a select: one page of rows and the total, for every list."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from extensions import db

# A search or a filtered list counts at most this many rows exactly, and says
# "more than 1 000" beyond: counting a million rows on every keystroke costs
# more than the page itself.
COUNT_CAP = 1_000


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    # True when counting stopped at the limit: the list says "more than N".
    total_is_capped: bool = False
    # Whether a next page exists, when the page was read one row long to know
    # it (a capped count cannot tell).
    more: bool | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        if self.more is not None:
            return self.more
        return self.page < self.pages or (self.total_is_capped and len(self.items) == self.per_page)


def paginate(stmt: Select, page: int, per_page: int, scalars: bool = True,
             count_limit: int | None = None) -> Page:
    """One page of `stmt`. With count_limit, counting stops there: an exact
    count of a broad search over a million rows costs more than the page."""
    if count_limit:
        total, capped = capped_count(stmt, count_limit)
    else:
        total, capped = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())), False
    page = page_number(page, total, per_page, capped)
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, total=total, page=page, per_page=per_page, total_is_capped=capped)


def capped_count(stmt: Select, cap: int) -> tuple[int, bool]:
    """How many rows `stmt` gives, counting no further than cap: (the total
    to show, whether counting stopped there)."""
    found = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).limit(cap + 1).subquery()))
    return min(found, cap), found > cap


def page_number(requested: int, total: int, per_page: int, capped: bool) -> int:
    """The page to show: at least 1, and no further than the last one when
    the total is known (past the end of a shrunken list, its last page)."""
    return max(1, requested) if capped else min(max(1, requested), max(1, -(-total // per_page)))
