"""Paging: every page shape of the manual, and iterate_pages against servers good and bad."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from console.api import Client, RetryPolicy
from console.api.models import AccessTransaction, Door, ParkChannel
from console.api.paging import MAX_PAGE_SIZE, Page, PagingError, fetch_page, iterate_pages, parse_page

TOKEN = "paging-token-0001"


class PagedServer:
    """Serves ``n`` door records in the given page shape; records every (pageNo, pageSize) asked for."""

    def __init__(
        self,
        n: int,
        shape: str = "v2",
        *,
        total: int | None = None,
        cap: int | None = None,
        ignore_page_no: bool = False,
        endless: bool = False,
    ) -> None:
        self.records = [{"id": f"d{i}", "name": f"Door {i}"} for i in range(n)]
        self.shape = shape
        self.total = n if total is None else total
        self.cap = cap
        self.ignore_page_no = ignore_page_no
        self.endless = endless
        self.asked: list[tuple[int, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if request.method == "POST" and request.content:
            params = httpx.QueryParams(
                {k: str(v) for k, v in httpx.Response(200, content=request.content).json().items()}
            )
        page_no, size = int(params["pageNo"]), int(params["pageSize"])
        self.asked.append((page_no, size))
        served = min(size, self.cap or size)
        start = (page_no - 1) * served
        if self.endless:
            chunk = [{"id": f"e{page_no}-{i}"} for i in range(served)]
        elif self.ignore_page_no:  # a server that ignores paging answers with the same records every time
            chunk = self.records[: self.cap]
        else:
            chunk = self.records[start : start + served]
        if self.shape == "v1":
            return ok(chunk)
        if self.shape == "totalCount":
            return ok({"data": chunk, "totalCount": self.total})
        if self.shape == "ret":
            body = {"ret": "ok", "msg": "ok", "data": chunk, "page": page_no, "pageSize": size, "total": self.total}
            return httpx.Response(200, json=body)
        # v2, with the advisory fields wrong on purpose: page 0-based, size = record count, lastPage false
        page = {"page": page_no - 1, "size": len(chunk), "total": self.total, "data": chunk, "lastPage": False}
        return ok(page)


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "success", "data": data})


def client_for(handler: Any) -> Client:
    return Client("http://127.0.0.1:9", TOKEN, transport=httpx.MockTransport(handler), retry=RetryPolicy(backoff=0))


async def collect(server: PagedServer, section: str = "2.12.10", model: Any = Door, **kw: Any) -> list[Any]:
    async with client_for(server) as client:
        return [item async for item in iterate_pages(client, section, model, **kw)]


# -- page shapes -----------------------------------------------------------------------------------


def test_v1_list_has_no_total_and_a_full_page_may_have_more() -> None:
    page = parse_page(Door, [{"id": "1"}, {"id": "2"}], page_no=1, page_size=2)
    assert [d.id for d in page.items] == ["1", "2"]
    assert page.total is None
    assert page.pages is None
    assert page.has_more
    assert not parse_page(Door, [{"id": "1"}], page_no=1, page_size=2).has_more


def test_v2_page_uses_total_not_the_advisory_flags() -> None:
    data = {"page": 0, "size": 1, "total": 1, "data": [{"id": "x"}], "offset": 0, "lastPage": False}  # as 2.8.4
    page = parse_page(Door, data, page_no=1, page_size=20)
    assert page.total == 1
    assert page.last_page is False
    assert not page.has_more
    more = parse_page(Door, {**data, "total": 45, "lastPage": True}, page_no=2, page_size=20)
    assert more.has_more
    assert more.pages == 3


def test_total_count_shape_of_2_36_1() -> None:
    data = {"data": [{"channelName": "Exit", "channelId": "c1"}], "totalCount": 2}
    page = parse_page(ParkChannel, data, page_no=1, page_size=1)
    assert page.total == 2
    assert page.items[0].channel_id == "c1"
    assert page.has_more


def test_envelope_level_total_of_2_19_13() -> None:
    page = parse_page(AccessTransaction, [{"id": "e1"}], page_no=1, page_size=1, extra={"total": "3", "page": 1})
    assert page.total == 3
    assert page.has_more


@pytest.mark.parametrize("data", [None, {"page": 0, "total": 0, "data": None}, []])
def test_empty_answers_are_an_empty_last_page(data: Any) -> None:
    page = parse_page(Door, data, page_no=1, page_size=10)
    assert page.items == []
    assert not page.has_more


def test_a_single_object_where_a_page_was_expected_is_a_page_of_one() -> None:
    assert [d.id for d in parse_page(Door, {"id": "solo"}, page_no=1, page_size=10).items] == ["solo"]


def test_unreadable_records_are_counted_as_skipped() -> None:
    page = parse_page(Door, {"total": 3, "data": [{"id": "1"}, 7, {"id": []}]}, page_no=1, page_size=3)
    assert len(page) == 1
    assert page.raw_count == 3
    assert page.skipped == 2


def test_hostile_totals_are_not_trusted_as_numbers() -> None:
    assert parse_page(Door, {"total": "lots", "data": []}, page_no=1, page_size=5).total is None
    assert parse_page(Door, {"total": -4, "data": [{"id": "1"}]}, page_no=1, page_size=5).total == 0


# -- iterate_pages -----------------------------------------------------------------------------------


async def test_v2_list_is_paged_by_page_no_until_the_total() -> None:
    server = PagedServer(450)
    doors = await collect(server, page_size=200)
    assert [d.id for d in doors] == [f"d{i}" for i in range(450)]
    assert server.asked == [(1, 200), (2, 200), (3, 200)]


async def test_v1_list_ends_on_a_short_page() -> None:
    server = PagedServer(401, "v1")
    assert len(await collect(server, "2.12.5", page_size=200)) == 401
    assert [p for p, _ in server.asked] == [1, 2, 3]


async def test_v1_list_of_exact_pages_ends_on_the_empty_one() -> None:
    server = PagedServer(400, "v1")
    assert len(await collect(server, "2.12.5", page_size=200)) == 400
    assert [p for p, _ in server.asked] == [1, 2, 3]


async def test_total_count_list() -> None:
    server = PagedServer(5, "totalCount")
    channels = await collect(server, "2.36.1", ParkChannel, page_size=2)
    assert len(channels) == 5
    assert len(server.asked) == 3


async def test_ret_envelope_paging_in_a_json_body() -> None:
    server = PagedServer(3, "ret")
    events = await collect(server, "2.19.13", AccessTransaction, page_size=2)
    assert [e.id for e in events] == ["d0", "d1", "d2"]
    assert server.asked == [(1, 2), (2, 2)]


async def test_page_size_never_exceeds_1000() -> None:
    server = PagedServer(1500)
    assert len(await collect(server, page_size=50_000)) == 1500
    assert server.asked == [(1, MAX_PAGE_SIZE), (2, MAX_PAGE_SIZE)]


async def test_a_server_that_serves_smaller_pages_is_followed_to_its_total() -> None:
    server = PagedServer(250, cap=100)
    assert len(await collect(server, page_size=200)) == 250


async def test_an_empty_page_ends_the_list_even_if_the_total_says_more() -> None:
    server = PagedServer(30, total=1000)
    assert len(await collect(server, page_size=20)) == 30
    assert len(server.asked) == 3


async def test_a_server_that_never_ends_is_cut_off() -> None:
    server = PagedServer(0, total=10**9, endless=True)
    seen: list[Door] = []

    async def drain(client: Client) -> None:
        async for door in iterate_pages(client, "2.12.10", Door, page_size=10, max_pages=4):
            seen.append(door)

    async with client_for(server) as client:
        with pytest.raises(PagingError, match="after 4 pages"):
            await drain(client)
    assert len(server.asked) == 4
    assert len(seen) == 40


async def test_a_server_repeating_a_page_against_its_total_is_an_error() -> None:
    server = PagedServer(50, ignore_page_no=True, cap=10)
    with pytest.raises(PagingError, match="again"):
        await collect(server, page_size=10)
    assert len(server.asked) == 2


async def test_a_v1_list_that_ignores_paging_ends_quietly_without_duplicates() -> None:
    server = PagedServer(250, "v1", ignore_page_no=True)
    doors = await collect(server, "2.12.5", page_size=200)
    assert len(doors) == 250
    assert len({d.id for d in doors}) == 250
    assert len(server.asked) == 2


@pytest.mark.parametrize("kw", [{"page_size": 0}, {"page_size": -5}, {"max_pages": 0}, {"start_page": 0}])
async def test_bad_paging_arguments_are_refused_before_sending(kw: dict[str, int]) -> None:
    server = PagedServer(5)
    with pytest.raises(ValueError):  # noqa: PT011
        await collect(server, **kw)
    assert server.asked == []


async def test_fetch_page_gives_one_page_with_its_total() -> None:
    server = PagedServer(45)
    async with client_for(server) as client:
        page = await fetch_page(client, "2.12.10", Door, page_no=3, page_size=20)
    assert isinstance(page, Page)
    assert (page.total, len(page), page.has_more, page.pages) == (45, 5, False, 3)
    assert server.asked == [(3, 20)]
