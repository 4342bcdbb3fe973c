"""Pages of a filtered list that stay fast on millions of studies.

Counting every match of a filter can take longer than showing the page, so the count stops
at ``COUNT_CAP``: ``SELECT count(*) FROM (SELECT id ... LIMIT cap + 1)``. Beyond it the page
says "more than 10,000" and the pager offers the next page while there is one, which it
knows by fetching one row more than it shows.
"""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from ..extensions import db
from ..models.study import GeneralStudyModuleAttr as Study

COUNT_CAP = 10_000
#: Pages starting before this many rows are read in one query; deeper ones ids first.
DIRECT_OFFSET = 1_000


@dataclass
class Page:
    """One page of studies and what the pager needs to know about the others."""

    items: list
    number: int
    size: int
    # Exact number of matches, or COUNT_CAP when ``capped``.
    total: int
    capped: bool
    has_next: bool

    @property
    def pages(self) -> int | None:
        """Number of pages, or None when the count was capped."""
        if self.capped:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def first_index(self) -> int:
        """1-based position of the first study on this page."""
        return (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        """1-based position of the last study on this page."""
        return self.first_index + len(self.items) - 1

    def window(self, radius: int = 2) -> list[int]:
        """Page numbers to offer around the current one."""
        last = self.pages if self.pages is not None else self.number + (1 if self.has_next else 0)
        return list(range(max(1, self.number - radius), min(last, self.number + radius) + 1))


def count_capped(query: Select, cap: int | None = None) -> tuple[int, bool]:
    """(number of studies the query selects, capped) counting no further than ``cap``
    (default ``COUNT_CAP``)."""
    cap = COUNT_CAP if cap is None else cap
    ids = query.with_only_columns(Study.id).order_by(None).limit(cap + 1).subquery()
    found = db.session.scalar(select(func.count()).select_from(ids))
    return min(found, cap), found > cap


def count_all(query: Select) -> int:
    """Exact number of studies the query selects (for confirmations, not for lists)."""
    ids = query.with_only_columns(Study.id).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(ids))


def paginate(query: Select, number: int, size: int, options=(), count_query=None) -> Page:
    """Page ``number`` (1-based) of ``size`` studies, loading them with ``options``.

    ``count_query`` selects the same studies without ordering joins (default ``query``).
    A page past the last one of an exact count shows the last page instead.
    """
    total, capped = count_capped(query if count_query is None else count_query)
    if not capped:
        last = max(1, -(-total // size))
        number = min(number, last)
    number = max(1, number)
    offset = (number - 1) * size
    if offset < DIRECT_OFFSET:
        # Near the start the index walk stops after a few rows: one query reads them.
        rows = db.session.scalars(query.options(*options).limit(size + 1).offset(offset)).all()
    else:
        # The page's ids first, from the narrow index entries, then only those rows: a deep
        # page then skips index entries, not whole study rows.
        ids = (query.with_only_columns(Study.id).limit(size + 1).offset(offset)
               .subquery("page_ids"))
        rows = db.session.scalars(
            query.where(Study.id.in_(select(ids.c.id))).options(*options).limit(size + 1)
        ).all()
    return Page(items=list(rows[:size]), number=number, size=size, total=total, capped=capped,
                has_next=len(rows) > size)
