"""Helpers of the attendance integration tests: request bodies, table snapshots, the
statements a request sends and a concurrent client between two of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.util import await_only

from csa_attendance.presences import raw
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import waiting_documents

ADDRESS = {"street": "1 rue de la Gare", "postcode": "L-1234", "locality": "Luxembourg"}


def provider_body(pid: str, ptype: str = "sea_commercial", **over: Any) -> dict[str, Any]:
    return {
        "provider_id": pid,
        "provider_type": ptype,
        "effective_from": "2025-01-06",
        "name": f"Crèche {pid}",
        "address": ADDRESS,
        "commune": "Luxembourg",
        "hourly_price": "5.00",
        "meal_price": "4.50",
        "plurilingual": False,
        **over,
    }


def contract_body(cid: str, child: str, pid: str, **over: Any) -> dict[str, Any]:
    return {
        "contract_id": cid,
        "child_id": child,
        "provider_id": pid,
        "start": "2025-01-06",
        "hours_per_week": "40",
        "hourly_price": "5.00",
        **over,
    }


def single_presence(record: str, child: str, day: str) -> dict[str, str]:
    """A `POST /v1/presences` body: 08:00-12:00 on `day`."""
    return {
        "record_id": record,
        "child_id": child,
        "start": f"{day}T08:00:00",
        "end": f"{day}T12:00:00",
    }


async def post_presences(
    api: Any, headers: dict[str, str], prefix: str, child: str, days: list[str]
) -> list[str]:
    """One presence of `child` (08:00-12:00) on each of `days`, records `<prefix>0`...;
    their ids."""
    ids = []
    for n, day in enumerate(days):
        posted = await api.post(
            "/v1/presences", json=single_presence(f"{prefix}{n}", child, day), headers=headers
        )
        assert posted.status_code == 201, posted.text
        ids.append(posted.json()["id"])
    return ids


async def count(runtime: ServiceRuntime, table: Any, *where: Any) -> int:
    async with runtime.sessions() as s:
        return (await s.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def rows(runtime: ServiceRuntime, table: Any) -> list[tuple[Any, ...]]:
    async with runtime.sessions() as s:
        return [tuple(r) for r in await s.execute(select(table).order_by(*table.primary_key))]


async def outbox_types(runtime: ServiceRuntime) -> list[str]:
    return [document["type"] for document in await waiting_documents(runtime)]


@contextmanager
def before_statement(
    runtime: ServiceRuntime, marker: str, action: Callable[[], Awaitable[Any]]
) -> Iterator[list[Any]]:
    """Run `action` (requests, other writes) once, just before the first statement holding
    `marker` is sent, as a concurrent client would between a request's statements; what
    it returned is put in the list yielded. Statements sent through SQLAlchemy and those
    sent on the pooled asyncpg connection directly (`raw.RawConnection`) alike."""
    done: list[Any] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if marker in sql and not done:
            done.append(None)  # (first: `action`'s own statements come through here too)
            done[0] = await_only(action())

    sent_raw = raw.RawConnection.fetchrow

    async def fetchrow(self: raw.RawConnection, prepared: raw.Prepared, params: Any) -> Any:
        if marker in prepared.sql and not done:
            done.append(None)
            done[0] = await action()
        return await sent_raw(self, prepared, params)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    raw.RawConnection.fetchrow = fetchrow  # type: ignore[method-assign]
    try:
        yield done
    finally:
        raw.RawConnection.fetchrow = sent_raw  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", statement)
