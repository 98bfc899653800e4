"""Latency benchmark: attendance POST /v1/presences → row in billing's presence_projection,
at a fixed request rate, through the production path on loopback:

    load generator ─HTTP→ attendance (uvicorn, PostgreSQL, outbox relay)
                   ─Kafka→ billing consumer (uvicorn, PostgreSQL, inbox) → presence_projection

    .venv/bin/python bench/bench_latency.py [--rate 500] [--seconds 20] [--max-requests N]
        [--profile DIR]   # the servers under cProfile: DIR/attendance.prof, DIR/billing.prof

Both services run as real servers: ``python -m csa serve attendance|billing`` subprocesses on
free 127.0.0.1 ports, each on its own throwaway PostgreSQL database (server of
TEST_DATABASE_URL, dropped at the end), migrated first with ``csa migrate``; the broker from
csa_shared.testing.broker (KAFKA_BOOTSTRAP_SERVERS, else testcontainers, else Tansu). Tokens
from csa_shared.testing.tokens, its key set written as the services' JWKS file.

Providers (``--providers``) and one education contract per child are registered through the
attendance API first; a few warm-up presences must reach billing before the measured run. The
generator is open loop: request *i* is due at ``start + i / rate`` and is sent then, whatever
became of earlier ones; latencies count from the due time, so a server that falls behind is
not hidden. The run is bounded in time (``--seconds``) and count (``--max-requests``), and
stops early, marked "saturated", when more than ``--max-outstanding`` requests are unanswered
(the services cannot hold the rate); projections then get ``--drain-seconds`` to arrive.

End-to-end latency = billing's ``presence_projection.updated_at`` (stamped by the billing
process when it inserts the row; same host clock) − the POST's due time; a poller also records
when each row becomes visible to a reader of billing's database (every ``--poll-ms``), an upper
bound. Also printed: CPU time of each server process per presence (what one process per
service can hold). Baseline, same run, same broker: a raw aiokafka produce (acks=all, awaited
one by one as the outbox relay sends) → consume (aiokafka defaults, as the billing consumer)
round trip at the same rate, no database, no HTTP. On Tansu a fetch waits out the consumer's
``fetch_max_wait_ms`` (500 ms) even when records arrive, which sets that round trip's floor.

Errors (exit 1): a POST that is not 201, a transport error or timeout, a presence not projected
in time, an ERROR line in a service's log. Not holding the rate is a goal not met (printed),
not an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.testing.broker import Broker, kafka_broker
from csa_shared.testing.postgres import PostgresDatabases, TestDatabase
from csa_shared.testing.servers import (  # bench_ingest and soak reach them as bl.*
    Server,
    cpu_seconds_of,  # noqa: F401
    start_server,
)
from csa_shared.testing.tokens import TestTokens

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
WARMUP = 20
TOKEN_REFRESH_S = 300.0  # tokens live 15 minutes; the soak runs longer


# -- the platform: broker, two databases, two servers -----------------------------------------


@dataclass
class Platform:
    broker: Broker
    attendance_db: TestDatabase
    billing_db: TestDatabase
    attendance: Server
    billing: Server
    tokens: TestTokens

    @property
    def servers(self) -> list[Server]:
        return [self.attendance, self.billing]


def _platform_env(
    broker: Broker, attendance_db: TestDatabase, billing_db: TestDatabase, var_dir: Path, level: str
) -> dict[str, str]:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "KAFKA_ENABLE_IDEMPOTENCE": str(broker.enable_idempotence).lower(),
        "ATTENDANCE_DATABASE_URL": attendance_db.url,
        "BILLING_DATABASE_URL": billing_db.url,
        "CSA_VAR_DIR": str(var_dir),
        "CSA_LOG_LEVEL": level,
        "CSA_HTTP_HOST": "127.0.0.1",
        # the pools' connections opened before the warm-up, as a deployment with
        # connections to spare would (not the default: processes x pool size)
        "CSA_DB_POOL_WARM": "true",
    }


@contextlib.asynccontextmanager
async def platform(
    log_level: str = "INFO", profile_dir: Path | None = None
) -> AsyncIterator[Platform]:
    """Broker, two fresh PostgreSQL databases (migrated), attendance and billing serving;
    with ``profile_dir``, each server runs under cProfile and leaves ``<service>.prof`` there."""
    with contextlib.ExitStack() as stack:
        databases = stack.enter_context(PostgresDatabases())
        broker = stack.enter_context(kafka_broker())
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="csa-bench-")))
        attendance_db, billing_db = databases.create(), databases.create()
        await ensure_topics(broker.bootstrap, list(TOPICS.values()))
        tokens = TestTokens()
        (work / "jwks.json").write_text(json.dumps(tokens.jwks()), encoding="utf-8")
        env = _platform_env(broker, attendance_db, billing_db, work, log_level)
        for name in ("attendance", "billing"):
            subprocess.run(
                [sys.executable, "-m", "csa", "migrate", name],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        servers: list[Server] = []
        try:
            for name in ("attendance", "billing"):
                servers.append(await start_server(name, env, work, profile_dir))
            yield Platform(broker, attendance_db, billing_db, *servers, tokens=tokens)
        finally:
            for server in servers:
                server.stop()


def plain_dsn(database: TestDatabase) -> str:
    return database.url


# -- the workload: providers, contracts, one presence per (provider, child, day) --------------


@dataclass(frozen=True)
class Slot:
    provider_id: str
    child_id: str
    day: date

    def body(self) -> dict[str, str]:
        return {
            "record_id": f"r-{self.child_id}-{self.day}",
            "child_id": self.child_id,
            "start": f"{self.day}T08:00:00",
            "end": f"{self.day}T16:30:00",
        }


@dataclass
class Workload:
    """Enough (provider, child, day) slots for ``needed`` presences, providers interleaved so
    consecutive requests take different per-provider locks and touch different children."""

    providers: list[str]
    children: int
    days: list[date]

    @classmethod
    def sized(cls, needed: int, providers: int, days: int) -> Workload:
        children = max(1, math.ceil(needed / (providers * days)))
        # one day more: the warm-up's
        return cls([f"bench-p{p}" for p in range(providers)], children, last_weekdays(days + 1))

    @property
    def warm_up(self) -> int:
        """Presences sent before the measured run: the first day, every (provider, child)."""
        return max(WARMUP, len(self.providers) * self.children)

    def child(self, provider_id: str, n: int) -> str:
        return f"{provider_id}-c{n}"

    def slots(self) -> Iterator[Slot]:
        for day in self.days:
            for c in range(self.children):
                for provider in self.providers:
                    yield Slot(provider, self.child(provider, c), day)


def last_weekdays(n: int) -> list[date]:
    """The ``n`` weekdays before today (Luxembourg time): presences must have ended."""
    day, found = datetime.now(LUXEMBOURG).date(), []
    while len(found) < n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return sorted(found)


class Headers:
    """Provider bearer headers, re-minted before the tokens expire."""

    def __init__(self, tokens: TestTokens, providers: list[str]) -> None:
        self._tokens, self._providers = tokens, providers
        self._minted_at = -math.inf
        self._headers: dict[str, dict[str, str]] = {}

    def of(self, provider_id: str) -> dict[str, str]:
        if time.monotonic() - self._minted_at > TOKEN_REFRESH_S:
            self._headers = {
                p: self._tokens.header(self._tokens.provider(p)) for p in self._providers
            }
            self._minted_at = time.monotonic()
        return self._headers[provider_id]


async def seed(client: httpx.AsyncClient, tokens: TestTokens, workload: Workload) -> None:
    """Register each provider and one education contract per child, through the API."""
    agent = tokens.header(tokens.cae_agent("bench-agent"))
    start = workload.days[0].isoformat()
    for provider in workload.providers:
        response = await client.post(
            "/v1/providers",
            headers=agent,
            json={
                "provider_id": provider,
                "provider_type": "sea_commercial",
                "effective_from": start,
                "name": f"Crèche {provider}",
                "address": {"street": "1 rue", "postcode": "L-1234", "locality": "Luxembourg"},
                "commune": "Luxembourg",
                "hourly_price": "7.50",
                "meal_price": "4.50",
                "plurilingual": False,
            },
        )
        _expect(response, 201)
    gate = asyncio.Semaphore(16)

    async def contract(provider: str, n: int) -> None:
        child = workload.child(provider, n)
        async with gate:
            response = await client.post(
                "/v1/education-contracts",
                headers=agent,
                json={
                    "contract_id": f"ec-{child}",
                    "child_id": child,
                    "provider_id": provider,
                    "start": start,
                    "hours_per_week": "40",
                    "hourly_price": "7.50",
                },
            )
        _expect(response, 201)

    await asyncio.gather(
        *(contract(p, n) for p in workload.providers for n in range(workload.children))
    )


def _expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )


# -- the open-loop generator and the projection watcher ---------------------------------------


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
    presence_id: str | None = None
    error: str | None = None
    seen: float = math.nan  # when the watcher first saw the projection row


@dataclass
class LoadRun:
    results: list[Result] = field(default_factory=list)
    started: float = 0.0
    finished_sending: float = 0.0
    saturated: bool = False  # stopped early: more than max_outstanding requests unanswered

    @property
    def served_rate(self) -> float:
        """201 responses per second, from the first due time to the last answer."""
        ok = [r.done for r in self.results if r.status == 201]
        return len(ok) / (max(ok) - self.started) if ok else 0.0

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.error is not None or r.status != 201]


async def open_loop(
    rate: float,
    count: int,
    seconds: float,
    send: Callable[[int], Awaitable[tuple[int, str | None]]],
    on_accepted: Callable[[Result], None] = lambda _: None,
    max_outstanding: int = 1000,
) -> LoadRun:
    """Start request ``i`` at ``start + i / rate`` (never waiting for earlier ones), until
    ``count`` requests or ``seconds``, or until more than ``max_outstanding`` are unanswered
    (the server cannot hold the rate: ``saturated``); then wait for the outstanding ones."""
    run = LoadRun()
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, result: Result) -> None:
        try:
            result.status, result.presence_id = await send(i)
            if result.status == 201:
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
    """Polls billing's presence_projection for the presences attendance accepted."""

    def __init__(self, dsn: str, poll_s: float) -> None:
        self._dsn, self._poll = dsn, poll_s
        self.pending: dict[str, Result] = {}
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None

    def expect(self, result: Result) -> None:
        assert result.presence_id is not None
        self.pending[result.presence_id] = result

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
                rows = await self._conn.fetch(
                    "SELECT presence_id FROM presence_projection WHERE presence_id = ANY($1)", ids
                )
                now = time.perf_counter()
                for row in rows:
                    self.pending.pop(row["presence_id"]).seen = now
            await asyncio.sleep(self._poll)

    async def drain(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


async def insert_stamps(dsn: str, ids: list[str]) -> dict[str, float]:
    """Billing's insert stamp (wall seconds) per presence id."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT presence_id, updated_at FROM presence_projection WHERE presence_id = ANY($1)",
            ids,
        )
    finally:
        await conn.close()
    return {r["presence_id"]: r["updated_at"].timestamp() for r in rows}


@dataclass
class Measured:
    """What a run through the pipeline measured."""

    run: LoadRun
    post_ms: list[float]
    e2e_ms: list[float]  # insert stamp − due time
    seen_ms: list[float]  # first seen by the watcher − due time
    lost: list[Result]
    log_errors: list[str]
    cpu_ms: dict[str, float]  # per accepted presence, per service, during the measured run
    generator_cpu_ms: float  # this process (HTTP client, watcher) per request sent

    @property
    def sent(self) -> int:
        return len(self.run.results)

    @property
    def accepted(self) -> int:
        return sum(r.status == 201 for r in self.run.results)

    @property
    def offered_rate(self) -> float:
        span = self.run.finished_sending - self.run.started
        return self.sent / span if span > 0 else math.nan

    @property
    def max_send_lag_ms(self) -> float:
        return max(((r.sent - r.due) * 1000 for r in self.run.results), default=0.0)

    @property
    def error_count(self) -> int:
        return len(self.run.errors) + len(self.lost) + len(self.log_errors)

    def error_lines(self, limit: int = 5) -> list[str]:
        lines = [
            f"POST #{i}: {r.error or f'status {r.status}'}"
            for i, r in enumerate(self.run.results)
            if r.error is not None or r.status != 201
        ][:limit]
        lines += [f"not projected: {r.presence_id}" for r in self.lost[:limit]]
        lines += [f"log: {_log_summary(line)}" for line in self.log_errors[:limit]]
        return lines


def _log_summary(line: str) -> str:
    """A JSON log line as logger, message and the exception's last line."""
    try:
        record = json.loads(line)
    except ValueError:
        return line[:300]
    exc = str(record.get("exc_info") or "").strip().splitlines()
    message = str(record.get("message")).strip()
    return f"{record.get('logger')}: {message}" + (f" — {exc[-1]}" if exc else "")


async def drive(
    plat: Platform,
    workload: Workload,
    *,
    rate: float,
    seconds: float,
    max_requests: int,
    drain_s: float,
    poll_s: float,
    max_outstanding: int,
    timeout_s: float,
    during: Callable[[], Awaitable[None]] | None = None,
) -> Measured:
    """Seed, warm up, then run the open-loop load and collect the latencies."""
    clock = Clock()
    headers = Headers(plat.tokens, workload.providers)
    slots = workload.slots()
    # The presences go through aiohttp, as bench_ingest's. httpx's pool (httpcore 1.0.9), each
    # time a request starts or ends, polls every connection's socket and, for each idle one,
    # counts all of them: 1.6 ms of client CPU per request at 8 in flight, ~7 ms from ~60
    # (aiohttp: ~0.2 ms at any count). With it, once a burst put a few dozen requests in
    # flight, this process could read no more than ~140 answers a second and the run stopped
    # "saturated" whatever the services did. One keep-alive connection per request in flight.
    connector = aiohttp.TCPConnector(limit=max_outstanding + 16, limit_per_host=0)
    async with (
        httpx.AsyncClient(base_url=plat.attendance.base_url, timeout=timeout_s) as client,
        aiohttp.ClientSession(
            plat.attendance.base_url,
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=timeout_s),
            json_serialize=lambda value: orjson.dumps(value).decode(),
        ) as session,
        Watcher(plain_dsn(plat.billing_db), poll_s) as watcher,
    ):
        await seed(client, plat.tokens, workload)

        async def send(_: int) -> tuple[int, str | None]:
            slot = next(slots)
            async with session.post(
                "/v1/presences", json=slot.body(), headers=headers.of(slot.provider_id)
            ) as response:
                body = await response.read()
            status = response.status
            return status, orjson.loads(body).get("id") if status == 201 else None

        # Warm-up: connections open, consumer group joined, caches filled (the first day:
        # one presence of each child, which reads its provider and contract); not measured.
        warm = await open_loop(100, workload.warm_up, math.inf, send, watcher.expect)
        if warm.errors:
            raise RuntimeError(f"warm-up failed: {warm.errors[0]}")
        await watcher.drain(120)
        if watcher.pending:
            raise RuntimeError(f"warm-up presences not projected: {list(watcher.pending)}")

        background = asyncio.create_task(during()) if during else None
        cpu0 = {s.name: s.cpu_seconds() for s in plat.servers}
        generator0 = time.process_time()
        try:
            run = await open_loop(
                rate, max_requests, seconds, send, watcher.expect, max_outstanding
            )
            generator_s = time.process_time() - generator0
            await watcher.drain(drain_s)
            cpu = {s.name: s.cpu_seconds() - cpu0[s.name] for s in plat.servers}
        finally:
            if background is not None:
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
        lost = list(watcher.pending.values())
    accepted = [r for r in run.results if r.status == 201 and r.presence_id is not None]
    ids = [r.presence_id for r in accepted if r.presence_id is not None]
    stamps = await insert_stamps(plain_dsn(plat.billing_db), ids)
    e2e = [
        (stamps[r.presence_id] - clock.wall(r.due)) * 1000
        for r in accepted
        if r.presence_id in stamps
    ]
    return Measured(
        run=run,
        post_ms=[(r.done - r.due) * 1000 for r in run.results if r.status == 201],
        e2e_ms=e2e,
        seen_ms=[(r.seen - r.due) * 1000 for r in accepted if not math.isnan(r.seen)],
        lost=lost,
        log_errors=[line for s in plat.servers for line in s.log_lines("ERROR")]
        + [line for s in plat.servers for line in s.log_lines("CRITICAL")],
        cpu_ms={name: seconds * 1000 / max(1, len(accepted)) for name, seconds in cpu.items()},
        generator_cpu_ms=generator_s * 1000 / max(1, len(run.results)),
    )


# -- the baseline: raw aiokafka produce → consume on the same broker --------------------------


async def kafka_round_trip(
    broker: Broker, rate: float, count: int, payload: bytes
) -> tuple[list[float], int]:
    """Latencies (ms, from the due time) of ``count`` messages sent open loop at ``rate``,
    each with acks=all and awaited (as the outbox relay publishes), received by a consumer
    on the same topic; and how many never arrived."""
    topic = f"bench-rtt-{uuid.uuid4().hex[:8]}"
    await ensure_topics(broker.bootstrap, [topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest")
    producer = AIOKafkaProducer(
        bootstrap_servers=broker.bootstrap, acks="all", enable_idempotence=broker.enable_idempotence
    )
    await consumer.start()
    await producer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0}]
        consumer.assign(partitions)
        for tp in partitions:
            await consumer.position(tp)
        due: dict[bytes, float] = {}
        arrived: dict[bytes, float] = {}

        async def receive() -> None:
            while len(arrived) < count:
                batches = await consumer.getmany(timeout_ms=500)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        if record.key is not None:
                            arrived[record.key] = now

        receiver = asyncio.create_task(receive())
        pending: set[asyncio.Task[Any]] = set()
        start = time.perf_counter() + 0.05
        for i in range(count):
            key = f"k{i}".encode()
            due[key] = start + i / rate
            delay = due[key] - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(producer.send_and_wait(topic, payload, key=key))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(receiver, timeout=30)
        receiver.cancel()
    finally:
        await producer.stop()
        await consumer.stop()
    latencies = [(arrived[k] - due[k]) * 1000 for k in due if k in arrived]
    return latencies, count - len(latencies)


async def sample_payload(dsn: str) -> bytes:
    """One real presence.recorded event as the relay publishes it."""
    conn = await asyncpg.connect(dsn)
    try:
        payload = await conn.fetchval("SELECT payload FROM outbox ORDER BY id DESC LIMIT 1")
    finally:
        await conn.close()
    return str(payload).encode()


# -- report -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN when there is nothing."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def p50_p99(values: list[float]) -> str:
    return f"p50 {pct(values, 0.50):7.1f} ms   p99 {pct(values, 0.99):7.1f} ms   (n={len(values)})"


def report_run(m: Measured, rate: float) -> None:
    stopped = "  STOPPED: saturated" if m.run.saturated else ""
    print(
        f"requests           {m.sent} sent, offered {m.offered_rate:,.1f} req/s "
        f"(target {rate:g}), served {m.run.served_rate:,.1f} req/s, "
        f"generator lag max {m.max_send_lag_ms:.1f} ms{stopped}"
    )
    print(f"POST latency       {p50_p99(m.post_ms)}")
    print(f"end to end         {p50_p99(m.e2e_ms)}   (POST due → billing inserts the row)")
    print(f"end to end, seen   {p50_p99(m.seen_ms)}   (→ a reader of billing's DB sees it)")
    print(
        f"errors             {m.error_count}  ({len(m.run.errors)} POST, {len(m.lost)} not "
        f"projected, {len(m.log_errors)} ERROR log lines)"
    )
    for line in m.error_lines():
        print(f"  {line}")
    print(
        "service CPU        "
        + "   ".join(f"{name} {ms:.1f} ms" for name, ms in m.cpu_ms.items())
        + "  per presence → one process per service holds at most "
        + ", ".join(f"{name} ~{1000 / ms:,.0f}/s" for name, ms in m.cpu_ms.items() if ms > 0)
        + " on one core of this machine"
    )
    print(
        f"generator CPU      {m.generator_cpu_ms:.2f} ms per request sent (this process: the "
        "HTTP client and the watcher, on the same cores)"
    )


def sustained(m: Measured, rate: float) -> bool:
    """The target rate was offered and served in full (nothing left behind)."""
    return not m.run.saturated and m.offered_rate >= 0.95 * rate and m.accepted == m.sent


async def main(args: argparse.Namespace) -> int:
    total = min(args.max_requests, math.ceil(args.rate * args.seconds))
    workload = Workload.sized(total + WARMUP, args.providers, args.days)
    async with platform(args.log_level, args.profile) as plat:
        measured = await drive(
            plat,
            workload,
            rate=args.rate,
            seconds=args.seconds,
            max_requests=args.max_requests,
            drain_s=args.drain_seconds,
            poll_s=args.poll_ms / 1000,
            max_outstanding=args.max_outstanding,
            timeout_s=args.timeout,
        )
        payload = await sample_payload(plain_dsn(plat.attendance_db))
        base_count = min(total, math.ceil(args.rate * args.baseline_seconds))
        baseline, base_lost = await kafka_round_trip(plat.broker, args.rate, base_count, payload)
    print(
        f"pipeline           attendance + billing as `csa serve` on 127.0.0.1, PostgreSQL, "
        f"{plat.broker.kind} broker; {len(workload.providers)} providers x "
        f"{workload.children} children x {len(workload.days)} days"
    )
    report_run(measured, args.rate)
    print(
        f"baseline Kafka     {p50_p99(baseline)}   (raw aiokafka produce→consume, "
        f"{len(payload)} B, same rate; {base_lost} lost)"
    )
    b50, b99 = pct(baseline, 0.5), pct(baseline, 0.99)
    print(
        f"end to end / raw Kafka round trip: p50 x{pct(measured.e2e_ms, 0.5) / b50:.1f}   "
        f"p99 x{pct(measured.e2e_ms, 0.99) / b99:.1f}"
    )
    met = sustained(measured, args.rate)
    print(f"goal: {args.rate:g} req/s sustained end to end: {'met' if met else 'NOT met'}")
    return 1 if measured.error_count or base_lost else 0


def parser(doc: str = __doc__ or "") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=doc.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rate", type=float, default=500.0, help="requests per second")
    p.add_argument("--seconds", type=float, default=20.0, help="length of the measured run")
    p.add_argument("--max-requests", type=int, default=100_000, help="bound on the count")
    p.add_argument("--providers", type=int, default=10)
    p.add_argument("--days", type=int, default=40, help="weekdays of presences per child")
    p.add_argument("--drain-seconds", type=float, default=60.0)
    p.add_argument("--poll-ms", type=float, default=10.0)
    p.add_argument(
        "--max-outstanding", type=int, default=1000,
        help="stop sending (saturated) when more requests than this are unanswered",
    )  # fmt: skip
    p.add_argument("--timeout", type=float, default=120.0, help="HTTP client timeout, s")
    p.add_argument("--log-level", default="INFO", help="the services' CSA_LOG_LEVEL")
    p.add_argument(
        "--profile", type=Path, default=None, metavar="DIR",
        help="run the servers under cProfile, write DIR/<service>.prof",
    )  # fmt: skip
    return p


if __name__ == "__main__":
    cli = parser()
    cli.add_argument("--baseline-seconds", type=float, default=10.0)
    raise SystemExit(asyncio.run(main(cli.parse_args())))
