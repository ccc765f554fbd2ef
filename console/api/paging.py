"""Paged lists: one :class:`Page` type for every shape the manual uses, and :func:`iterate_pages`.

Shapes of ``data`` on a paged call:

* v1 lists: ``[...]`` (no total; the last page is the short one);
* v2 pages: ``{page, size, total, data: [...], offset, lastPage}``;
* 2.36.1: ``{data: [...], totalCount}``;
* 2.19.13: ``[...]`` with ``page``/``pageSize``/``total`` at the envelope level (``Envelope.extra``).

Per ERRATA the server's ``page``, ``size``, ``offset`` and ``lastPage`` are only advisory (they disagree
between sections): we page by the ``pageNo`` we send, the ``total`` and the number of records received.
``pageSize`` never exceeds 1000 (error -91 is not scoped to the sections that mention it).
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .errors import ModelError, ProtocolError
from .models.lenient import opt_bool, opt_int

if TYPE_CHECKING:  # the records (pydantic) are imported when a page of them is read: raw pages need neither
    from pydantic import BaseModel

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Page",
    "PagingError",
    "Record",
    "RecordPage",
    "fetch_page",
    "iterate_pages",
    "iterate_raw_pages",
    "parse_page",
    "record_page",
]

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 200
DEFAULT_MAX_PAGES = 500

T = TypeVar("T", bound="BaseModel")


class PagingError(ProtocolError):
    """The server kept sending pages past every sensible end (or the same page over and over)."""


class _Envelope(Protocol):
    @property
    def data(self) -> Any: ...

    @property
    def extra(self) -> Mapping[str, Any]: ...


class Caller(Protocol):
    """What paging needs of a client: :meth:`console.api.client.Client.call_envelope`."""

    async def call_envelope(
        self, section: str, /, body: Any = None, files: Mapping[str, Any] | None = None, **params: Any
    ) -> _Envelope: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of records.

    ``total`` is the server's count of all matching records (None for v1 lists, which do not say);
    ``raw_count`` is how many records the server sent on this page, unreadable ones included (``skipped``
    of them were dropped). ``last_page`` is the server's own flag: advisory only.
    """

    items: list[T]
    page_no: int
    page_size: int
    total: int | None = None
    raw_count: int = 0
    last_page: bool | None = field(default=None, compare=False)

    @property
    def skipped(self) -> int:
        return max(0, self.raw_count - len(self.items))

    @property
    def pages(self) -> int | None:
        """How many pages of this size hold ``total`` records (None when the total is unknown)."""
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_more(self) -> bool:
        """Whether asking for ``page_no + 1`` can return records."""
        if self.raw_count == 0:
            return False
        if self.total is not None:
            return (self.page_no - 1) * self.page_size + self.raw_count < self.total
        return self.raw_count >= self.page_size

    def __len__(self) -> int:
        return len(self.items)


def check_page_size(page_size: int) -> int:
    """``page_size`` limited to 1..1000; ValueError for anything below 1."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError("page_size must be a positive integer")
    return min(page_size, MAX_PAGE_SIZE)


def check_page_no(page_no: int) -> int:
    if isinstance(page_no, bool) or not isinstance(page_no, int) or page_no < 1:
        raise ValueError("page_no starts at 1")
    return page_no


_PAGE_KEYS = frozenset({"data", "total", "totalCount", "lastPage", "page", "size", "offset"})


def _total(value: Any) -> int | None:
    number = opt_int(value)
    return None if number is None else max(0, number)


def _raw_records(data: Any, extra: Mapping[str, Any]) -> tuple[Any, int | None, bool | None]:
    """(records, total, lastPage) from any of the shapes."""
    if isinstance(data, dict) and _PAGE_KEYS.intersection(data):
        total = _total(data.get("total", data.get("totalCount")))
        return data.get("data"), total, opt_bool(data.get("lastPage"))
    # v1 list, a bare object (2.14.6 shows one person), or null; 2.19.13 pages at the envelope level
    total = _total(extra.get("total", extra.get("totalCount"))) if extra else None
    return data, total, None


def parse_page(
    model: type[T], data: Any, *, page_no: int, page_size: int, extra: Mapping[str, Any] | None = None
) -> Page[T]:
    """A :class:`Page` from the ``data`` of any paged answer (and the envelope's extra keys)."""
    records, total, last_page = _raw_records(data, extra or {})
    if isinstance(records, dict):
        records = [records]
    elif records is None:
        records = []
    elif not isinstance(records, list):
        raise ModelError(f"expected a page of {model.__name__}, got {type(records).__name__}")
    from .models.base import parse_list

    items = parse_list(model, records)
    return Page(items, page_no, page_size, total, len(records), last_page)


Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RecordPage:
    """A page of raw records, for the callers that validate them themselves (in slices, or in a worker
    thread: the door board and the event stream), with the server's ``total`` when it sent one."""

    records: list[Record]
    total: int | None = None


def record_page(data: Any, extra: Mapping[str, Any] | None = None, *, what: str = "records") -> RecordPage:
    """Raw records from any shape an answer comes in: a list, a v2 page, one bare record, or null.

    The one place that knows these shapes for raw records (:func:`parse_page` is the typed twin): a real
    server answers ``allDoorState`` with a page on large sites, and 2.12.2 with one object.
    """
    records, total, _last = _raw_records(data, extra or {})
    if isinstance(records, dict):
        records = [records]
    elif records is None:
        records = []
    elif not isinstance(records, list):
        raise ModelError(f"expected a list of {what}, got {type(records).__name__}")
    return RecordPage([r for r in records if isinstance(r, Mapping)], total)


def _same(records: Any, previous: Any) -> bool:
    try:
        return bool(records == previous)
    except RecursionError:  # absurdly nested records: not worth comparing
        return False


async def fetch_page(
    client: Caller,
    section: str,
    model: type[T],
    *,
    page_no: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    **params: Any,
) -> Page[T]:
    """One page of section ``section``'s records (``pageNo``/``pageSize`` placed like any parameter)."""
    page_no = check_page_no(page_no)
    page_size = check_page_size(page_size)
    envelope = await client.call_envelope(section, pageNo=page_no, pageSize=page_size, **params)
    return parse_page(model, envelope.data, page_no=page_no, page_size=page_size, extra=envelope.extra)


async def iterate_pages(
    client: Caller,
    section: str,
    model: type[T],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    max_pages: int = DEFAULT_MAX_PAGES,
    start_page: int = 1,
    **params: Any,
) -> AsyncIterator[T]:
    """Every record of a paged list, fetching page after page as the consumer goes.

    Stops on an empty page, when ``total`` records have been received, or (when the server gives no
    total) after a short page. A server that keeps answering past ``max_pages`` pages, or sends the same
    page again while its total says more remain, raises :class:`PagingError` (after the records already
    yielded). A v1 list answering every ``pageNo`` with the same records (it ignores paging) ends quietly.
    """
    page_size = check_page_size(page_size)
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    page_no = check_page_no(start_page)
    received = (page_no - 1) * page_size
    previous: Any = None
    for _ in range(max_pages):
        envelope = await client.call_envelope(section, pageNo=page_no, pageSize=page_size, **params)
        records, total, _last = _raw_records(envelope.data, envelope.extra)
        if previous is not None and _same(records, previous):
            if total is not None and received < total:
                raise PagingError(f"{section}: the server sent page {page_no - 1} again as page {page_no}")
            log.info("%s ignores pageNo (page %d repeats page %d); list ends here", section, page_no, page_no - 1)
            return
        page = parse_page(model, envelope.data, page_no=page_no, page_size=page_size, extra=envelope.extra)
        for item in page.items:
            yield item
        if page.raw_count == 0:
            return
        received += page.raw_count
        if page.total is not None:
            if received >= page.total:
                return
        elif page.raw_count < page_size:
            return
        previous = records
        page_no += 1
    raise PagingError(f"{section}: still more records after {max_pages} pages of {page_size}; list cut short")


async def iterate_raw_pages(
    client: Caller,
    section: str,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    max_pages: int = DEFAULT_MAX_PAGES,
    what: str = "records",
    **params: Any,
) -> AsyncIterator[list[Record]]:
    """The raw records of a paged list, page by page, with :func:`iterate_pages`'s stopping rules: for a
    caller that validates them itself in slices (the door board's lists: 22,000 readers at the xl site
    would otherwise be validated a thousand at a time inside one turn of the event loop)."""
    page_size = check_page_size(page_size)
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    received = 0
    previous: Any = None
    for page_no in range(1, max_pages + 1):
        envelope = await client.call_envelope(section, pageNo=page_no, pageSize=page_size, **params)
        records, total, _last = _raw_records(envelope.data, envelope.extra)
        if previous is not None and _same(records, previous):
            if total is not None and received < total:
                raise PagingError(f"{section}: the server sent page {page_no - 1} again as page {page_no}")
            log.info("%s ignores pageNo (page %d repeats page %d); list ends here", section, page_no, page_no - 1)
            return
        page = record_page(envelope.data, envelope.extra, what=what)
        raw_count = len(records) if isinstance(records, list) else (0 if records is None else 1)
        yield list(page.records)
        if raw_count == 0:
            return
        received += raw_count
        if total is not None:
            if received >= total:
                return
        elif raw_count < page_size:
            return
        previous = records
    raise PagingError(f"{section}: still more records after {max_pages} pages of {page_size}; list cut short")
