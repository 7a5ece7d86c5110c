"""Paging of staff list pages without counting: one extra row tells whether there is a next page.

Django's ``Paginator`` runs ``COUNT(*)`` over the whole filtered list on every page view; over a million
tickets that costs more than the page itself. Pages here read ``size + 1`` rows and show
Previous / Next with the page number only.
"""

from dataclasses import dataclass, field


@dataclass
class Page:
    object_list: list = field(default_factory=list)
    number: int = 1
    has_next: bool = False

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 200  # deeper than this, narrow the filters (an OFFSET that deep costs a scan)


def page_of(queryset, raw_number, size: int = 50) -> Page:
    try:
        number = min(max(int(raw_number or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(object_list=rows[:size], number=number, has_next=len(rows) > size)
