"""Cursor pagination: keyset pages that neither skip nor repeat a row (mixed directions,
ties on the first key, rows inserted between pages), and cursors that are validated — a
garbled or foreign cursor is a 422 problem naming ``cursor``, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from csa_shared.http.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Key,
    Page,
    PageParams,
    decode_cursor,
    encode_cursor,
    fetch_page,
)
from csa_shared.http.problems import PROBLEM_JSON

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", String, primary_key=True),
    Column("day", Date, nullable=False),
    Column("rank", Integer, nullable=False),
)
timed = Table("timed", metadata, Column("id", String, primary_key=True), Column("at", DateTime))
others = Table("others", MetaData(), Column("id", String), Column("day", Date))
BY_DAY_DESC = (Key(items.c.day, descending=True), Key(items.c.id))
BY_RANK = (Key(items.c.rank), Key(items.c.id))


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    async with async_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def _add(session: AsyncSession, *rows: tuple[str, date, int]) -> None:
    await session.execute(insert(items), [{"id": i, "day": d, "rank": r} for i, d, r in rows])


def _rows(n: int) -> list[tuple[str, date, int]]:
    """``n`` rows over few days (many ties on the day) in a scrambled id order."""
    return [(f"i{(i * 7) % n:03d}", date(2025, 3, 1) + timedelta(days=i % 4), i) for i in range(n)]


async def _walk(session: AsyncSession, keys: tuple[Key, ...], limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        rows, cursor = await fetch_page(session, select(items), keys, PageParams(limit, cursor))
        pages.append([r.id for r in rows])
        if cursor is None:
            return pages


async def test_pages_cover_every_row_once_in_the_key_order(session: AsyncSession) -> None:
    await _add(session, *_rows(23))
    pages = await _walk(session, BY_DAY_DESC, 5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    expected = sorted(_rows(23), key=lambda r: (-r[1].toordinal(), r[0]))
    assert [i for page in pages for i in page] == [r[0] for r in expected]


async def test_an_exact_multiple_ends_with_a_null_cursor_not_an_empty_page(
    session: AsyncSession,
) -> None:
    await _add(session, *_rows(10))
    assert [len(p) for p in await _walk(session, BY_RANK, 5)] == [5, 5]
    assert await _walk(session, BY_RANK, 50) == [[r[0] for r in _rows(10)]]


async def test_rows_inserted_before_the_cursor_shift_nothing(session: AsyncSession) -> None:
    await _add(session, *[(f"r{i}", date(2025, 3, 1), i * 10) for i in range(6)])
    first, cursor = await fetch_page(session, select(items), BY_RANK, PageParams(3))
    await _add(session, ("early", date(2025, 3, 1), 5))  # sorts into the first page
    rest, end = await fetch_page(session, select(items), BY_RANK, PageParams(3, cursor))
    assert [r.id for r in first] == ["r0", "r1", "r2"]
    assert [r.id for r in rest] == ["r3", "r4", "r5"]
    assert end is None


async def test_datetime_keys_page_on_sqlite_too(session: AsyncSession) -> None:
    start = datetime(2025, 3, 3, 8, 0)
    rows = [{"id": f"t{i}", "at": start + timedelta(minutes=30 * (i // 2))} for i in range(7)]
    await session.execute(insert(timed), rows)
    keys, pages, cursor = (Key(timed.c.at), Key(timed.c.id)), [], None
    while True:
        page, cursor = await fetch_page(session, select(timed), keys, PageParams(2, cursor))
        pages.append([r.id for r in page])
        if cursor is None:
            break
    assert pages == [["t0", "t1"], ["t2", "t3"], ["t4", "t5"], ["t6"]]
    assert decode_cursor(keys, encode_cursor(keys, [start, "t1"])) == [start, "t1"]


async def test_filters_of_the_query_apply_to_every_page(session: AsyncSession) -> None:
    await _add(session, *_rows(20))
    query = select(items).where(items.c.rank % 2 == 0)
    rows, cursor = await fetch_page(session, query, BY_RANK, PageParams(4))
    more, _ = await fetch_page(session, query, BY_RANK, PageParams(4, cursor))
    assert [r.rank for r in rows + more] == [0, 2, 4, 6, 8, 10, 12, 14]


def test_a_cursor_round_trips_typed_values() -> None:
    cursor = encode_cursor(BY_DAY_DESC, [date(2025, 3, 4), "i007"])
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(BY_DAY_DESC, cursor) == [date(2025, 3, 4), "i007"]


def _forged(body: dict[str, Any], checksum: str | None = None) -> str:
    document = json.dumps({"b": body, "c": checksum or "0" * 12}).encode()
    return base64.urlsafe_b64encode(document).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "!!!",
        "AAAA",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(b'{"b": 1}').decode(),
        _forged({"v": 1, "k": ["items.day", "items.id"], "a": ["2025-03-04", "i007"]}),
        encode_cursor(BY_RANK, [3, "i007"]),  # another list's
        encode_cursor((Key(others.c.day, True), Key(others.c.id)), [date(2025, 3, 4), "i"]),
        encode_cursor(BY_DAY_DESC, [date(2025, 3, 4), "i007"])[:-3],  # truncated
    ],
)
def test_a_garbled_tampered_or_foreign_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(RequestValidationError) as refused:
        decode_cursor(BY_DAY_DESC, cursor)
    assert refused.value.errors()[0]["loc"] == ("query", "cursor")


def test_a_well_formed_cursor_with_values_of_the_wrong_type_is_refused() -> None:
    wrong = encode_cursor(BY_RANK, ["three", "i007"])
    with pytest.raises(RequestValidationError):
        decode_cursor(BY_RANK, wrong)


# -- over HTTP: the parameters, the page shape and the problem ------------------------------

lists = APIRouter()


@dataclass(frozen=True)
class ItemQuery(PageParams):
    """A list's filters after ``limit`` and ``cursor``."""

    since: Annotated[date | None, Query()] = None


class ItemPage(Page[str]):
    pass


@lists.get("/items", response_model=ItemPage)
async def list_items(query: ItemQuery = Depends()) -> ItemPage:
    keys = (Key(items.c.id),)
    start = int(decode_cursor(keys, query.cursor)[0][1:]) + 1 if query.cursor else 0
    names = [f"n{i}" for i in range(start, min(start + query.limit, 7))]
    more = start + query.limit < 7
    return ItemPage(items=names, next_cursor=encode_cursor(keys, [names[-1]]) if more else None)


@pytest.fixture
async def http(service_app: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    _, app = service_app([lists])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        yield c


async def test_a_page_is_items_and_next_cursor(http: httpx.AsyncClient) -> None:
    first = (await http.get("/v1/items?limit=5&since=2025-03-01")).json()
    assert list(first) == ["items", "next_cursor"]
    second = (await http.get("/v1/items", params={"cursor": first["next_cursor"]})).json()
    assert first["items"] + second["items"] == [f"n{i}" for i in range(7)]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "query",
    ["limit=0", f"limit={MAX_LIMIT + 1}", "cursor=%25%25", "cursor=AAAA", "cursor=" + "A" * 600],
)
async def test_bad_limits_and_garbled_cursors_are_422_problems(
    http: httpx.AsyncClient, query: str
) -> None:
    answer = await http.get(f"/v1/items?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json()["errors"][0]["field"] in {"limit", "cursor"}


async def test_the_default_limit_and_the_documented_parameters(http: httpx.AsyncClient) -> None:
    assert PageParams().limit == DEFAULT_LIMIT
    document = (await http.get("/openapi.json")).json()
    parameters = {p["name"]: p for p in document["paths"]["/v1/items"]["get"]["parameters"]}
    assert set(parameters) == {"limit", "cursor", "since"}
    assert parameters["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert parameters["limit"]["schema"]["default"] == DEFAULT_LIMIT
    assert parameters["cursor"]["description"]
    page = document["components"]["schemas"]["ItemPage"]["properties"]
    assert all(p.get("description") for p in page.values())
