"""bench_latency's load: the open-loop generator, the watcher of billing's projection and
billing's stamps (bench_latency.py's docstring tells how they measure)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg


@dataclass(frozen=True)
class Projection:
    """Where billing shows an accepted request: the row of ``key`` in ``table`` at
    ``version`` or later (a record: 1; its correction: 2), stamped ``updated_at`` by billing
    when it writes the row."""

    table: str
    key: str
    version: int = 1

    def query(self, *columns: str) -> str:
        return (
            f"SELECT {', '.join((self.key, *columns))} FROM {self.table} "
            f"WHERE {self.key} = ANY($1) AND version >= {self.version}"
        )


PRESENCES = Projection("presence_projection", "presence_id")


@dataclass
class Clock:
    """perf_counter for intervals; wall time (comparable with billing's stamps) derived from it."""

    perf0: float = field(default_factory=time.perf_counter)
    wall0: float = field(default_factory=time.time)

    def wall(self, perf: float) -> float:
        return self.wall0 + (perf - self.perf0)


@dataclass
class Result:
    due: float  # perf_counter when the request was due
    sent: float  # when it actually left the generator
    done: float = math.nan
    status: int | None = None
    record_id: str | None = None  # the accepted record's id (a presence's, a meal's)
    error: str | None = None
    seen: float = math.nan  # when the watcher first saw the projection row


@dataclass
class LoadRun:
    results: list[Result] = field(default_factory=list)
    started: float = 0.0
    finished_sending: float = 0.0
    saturated: bool = False  # stopped early: more than max_outstanding requests unanswered
    ok: int = 201  # the status of an accepted request

    @property
    def served_rate(self) -> float:
        """Accepted answers per second, from the first due time to the last answer."""
        ok = [r.done for r in self.results if r.status == self.ok]
        return len(ok) / (max(ok) - self.started) if ok else 0.0

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.error is not None or r.status != self.ok]


async def open_loop(
    rate: float,
    count: int,
    seconds: float,
    send: Callable[[int], Awaitable[tuple[int, str | None]]],
    on_accepted: Callable[[Result], None] = lambda _: None,
    max_outstanding: int = 1000,
    ok: int = 201,
) -> LoadRun:
    """Start request ``i`` at ``start + i / rate`` (never waiting for earlier ones), until
    ``count`` requests or ``seconds``, or until more than ``max_outstanding`` are unanswered
    (the server cannot hold the rate: ``saturated``); then wait for the outstanding ones.
    ``send`` answers the status and the record's id; ``ok`` is the status of an accepted
    request, handed to ``on_accepted``."""
    run = LoadRun(ok=ok)
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, result: Result) -> None:
        try:
            result.status, result.record_id = await send(i)
            if result.status == ok:
                on_accepted(result)
        except Exception as exc:  # a transport error or timeout is an error of the run
            result.error = f"{type(exc).__name__}: {exc}"
        finally:
            result.done = time.perf_counter()

    run.started = start = time.perf_counter() + 0.05
    for i in range(count):
        due = start + i / rate
        if due - start >= seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) > max_outstanding:
            run.saturated = True
            break
        result = Result(due=due, sent=time.perf_counter())
        run.results.append(result)
        task = asyncio.create_task(one(i, result))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    run.finished_sending = time.perf_counter()
    if tasks:
        await asyncio.wait(tasks)
    return run


class Watcher:
    """Polls billing's projection for the records attendance accepted."""

    def __init__(self, dsn: str, poll_s: float, projection: Projection = PRESENCES) -> None:
        self._dsn, self._poll, self._sql = dsn, poll_s, projection.query()
        self._key = projection.key
        self.pending: dict[str, Result] = {}
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None

    def expect(self, result: Result) -> None:
        assert result.record_id is not None
        self.pending[result.record_id] = result

    async def __aenter__(self) -> Watcher:
        self._conn = await asyncpg.connect(self._dsn)
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None and self._conn is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._conn.close()

    async def _run(self) -> None:
        assert self._conn is not None
        while True:
            if self.pending:
                ids = list(self.pending)
                rows = await self._conn.fetch(self._sql, ids)
                now = time.perf_counter()
                for row in rows:
                    self.pending.pop(row[self._key]).seen = now
            await asyncio.sleep(self._poll)

    async def drain(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


async def insert_stamps(
    dsn: str, ids: list[str], projection: Projection = PRESENCES
) -> dict[str, float]:
    """Billing's stamp (wall seconds) of the row that shows each record id."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(projection.query("updated_at"), ids)
    finally:
        await conn.close()
    return {r[projection.key]: r["updated_at"].timestamp() for r in rows}
