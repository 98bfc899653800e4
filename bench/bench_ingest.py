"""Ingest benchmark: batches of 1000 presences over HTTP against the attendance service on
PostgreSQL, with the outbox relay publishing to the broker; next to it the raw rates of the
pipeline's stages, measured in the same run on the same data: JSON decoding of the batches,
PostgreSQL COPY of the rows, aiokafka produce of the events.

    .venv/bin/python bench/bench_ingest.py [--records N] [--providers P] [--concurrency C]
        [--replicas R]

The service: with ``--replicas R`` (R >= 1), R ``csa serve attendance`` processes on one
database, each with its outbox relay (pods of one deployment; their relays take turns), and
this process the HTTP client, worker *i* posting to replica *i mod R* over loopback; with
``--replicas 0``, the app in this process behind httpx's ASGI transport (client, service and
relay share the process), set up as ``csa serve`` does (``gc.freeze()`` and collector
thresholds once the app is built).

A fresh database on the server of TEST_DATABASE_URL (dropped at the end); the broker from
csa_shared.testing.broker (KAFKA_BOOTSTRAP_SERVERS, else testcontainers, else Tansu).
Goal: >= 20 000 records/s end to end and >= 50 % of the slowest raw stage (issue 24; 30 % before).

End to end = first POST sent → every accepted record's event acknowledged by the broker
(the relays have published and deleted every outbox row), after a warm-up (`warm_up`: one
small batch per worker, published, before the clock starts). After the timed run the topic is
read back: one message per accepted record, each presence once. Batches come round-robin
from the providers, so concurrent requests are of different providers (one provider's are
serialised by its lock). Also printed: the CPU per record of each process over the run
(this one, the replicas, PostgreSQL's backends, the broker), from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import bench_latency as bl  # csa serve subprocesses (bench/ is on sys.path)
import httpx
import orjson
from aiokafka import AIOKafkaProducer
from sqlalchemy import select, text

from csa.cli import _freeze_startup_objects
from csa.services import definition
from csa_attendance.tables import education_contracts, presences, provider_versions, providers
from csa_shared.bus import Message
from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.broker import kafka_broker
from csa_shared.testing.events import topic_messages
from csa_shared.testing.postgres import PostgresDatabases
from csa_shared.testing.tokens import TestTokens

BATCH = 1000
CPU: dict[str, float] = {}  # CPU seconds per process (group) over the timed run
WAITING: dict[str, int] = {}  # events in the outbox, not yet published
CHILDREN_PER_PROVIDER = 250  # a batch = 4 days x 250 children of one provider
FIRST_DAY = date(2025, 1, 6)


def weekdays(n: int) -> list[date]:
    days, day = [], FIRST_DAY
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def make_batches(records: int, providers_n: int) -> list[tuple[str, bytes]]:
    """(provider id, JSON body) per batch of 1000 presences, round-robin over providers."""
    per_provider = records // providers_n
    days = weekdays(-(-per_provider // CHILDREN_PER_PROVIDER))
    per: list[list[tuple[str, bytes]]] = []
    for p in range(providers_n):
        batches: list[tuple[str, bytes]] = []
        items = [
            {
                "kind": "presence",
                "record_id": f"r-{day}-{c}",
                "child_id": f"p{p}-c{c}",
                "start": f"{day}T08:00:00",
                "end": f"{day}T16:30:00",
            }
            for day in days
            for c in range(CHILDREN_PER_PROVIDER)
        ][:per_provider]
        for i in range(0, len(items), BATCH):
            batches.append((f"bench-p{p}", json.dumps({"items": items[i : i + BATCH]}).encode()))
        per.append(batches)
    # Interleaved (p0, p1, ..., p0, p1, ...): concurrent requests come from different
    # providers, as from many provider systems, rather than queueing on one provider's lock.
    return [b for round_ in itertools.zip_longest(*per) for b in round_ if b is not None]


async def seed(runtime: ServiceRuntime, providers_n: int) -> None:
    now = datetime.now(UTC)
    async with runtime.unit_of_work() as s:
        for p in range(providers_n):
            pid = f"bench-p{p}"
            await s.execute(
                providers.insert().values(
                    provider_id=pid, provider_type="sea_commercial", version=1, created_at=now
                )
            )
            await s.execute(
                provider_versions.insert().values(
                    provider_id=pid,
                    version=1,
                    effective_from=date(2024, 9, 2),
                    name=pid,
                    street="1 rue",
                    postcode="L-1234",
                    locality="Luxembourg",
                    commune="Luxembourg",
                    hourly_price=Decimal("7.50"),
                    meal_price=Decimal("4.50"),
                    plurilingual=False,
                    agency_id=None,
                    recorded_at=now,
                )
            )
            await s.execute(
                education_contracts.insert(),
                [
                    {
                        "contract_id": f"ec-{pid}-{c}",
                        "child_id": f"p{p}-c{c}",
                        "provider_id": pid,
                        "start": date(2024, 9, 2),
                        "end": None,
                        "hours_per_week": Decimal(40),
                        "hourly_price": Decimal("7.50"),
                        "billing_mode": "presence",
                        "version": 1,
                        "created_at": now,
                    }
                    for c in range(CHILDREN_PER_PROVIDER)
                ],
            )


class ProcessCpu:
    """CPU seconds (user + system) of the processes the run spreads over, read from Linux
    /proc: this one (HTTP client, and the service when in-process), the service replicas,
    the broker, and PostgreSQL's backends of the run's database (each from its CPU at the
    start, or from 0 when it started in the run; one that ended in the run is not counted).
    Not the server's other processes: other databases' backends (other work on the
    machine) and the shared writers; counting every `postgres` process made the figure
    move with whatever else ran, and go below zero when other backends ended."""

    def __init__(self, servers: list[Any], broker_pid: int | None) -> None:
        self._servers = {f"attendance {n + 1}": s.process.pid for n, s in enumerate(servers)}
        self._broker = broker_pid

    async def sample(self, runtime: ServiceRuntime) -> dict[str, Any]:
        async with runtime.sessions() as s:
            backends = await s.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            )
            postgres = {pid: _cpu(pid) for pid in backends}
        found: dict[str, Any] = {"this process": time.process_time()}
        found.update({name: _cpu(pid) for name, pid in self._servers.items()})
        found["postgresql"] = postgres
        if self._broker is not None:
            found["broker"] = _cpu(self._broker)
        return found

    @staticmethod
    def spent(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        """CPU seconds per process (group) between two samples."""
        spent = {k: v - before[k] for k, v in after.items() if k != "postgresql"}
        backends = before["postgresql"]
        spent["postgresql"] = sum(v - backends.get(p, 0.0) for p, v in after["postgresql"].items())
        return spent


def _cpu(pid: int) -> float:
    """`pid`'s CPU seconds; 0 once it has exited."""
    try:
        return bl.cpu_seconds_of(pid)
    except OSError:
        return 0.0


WARM_UP_DAY = date(2024, 12, 2)  # before the run's days: no batch of the run looks at it


async def warm_up(
    runtime: ServiceRuntime,
    clients: list[Post],
    headers: dict[str, dict[str, str]],
    providers_n: int,
    concurrency: int,
) -> None:
    """Before the clock starts, what a running service has done already: one small batch
    per worker, all at once (each replica's pool opens the connections the run keeps, its
    statements are compiled and prepared, its registry cache filled), published by the
    relays (their producers connected to the broker). Setup, as the raw stages' (the
    producer started, the table created) is outside their clocks; in a cold run the first
    requests took up to twice as long as the steady ones."""

    def body(n: int) -> bytes:  # worker n: ten children of provider n mod providers_n
        p, first = n % providers_n, n // providers_n * 10
        start, end = f"{WARM_UP_DAY}T08:00:00", f"{WARM_UP_DAY}T09:00:00"
        items = [
            {"kind": "presence", "record_id": f"warm-{n}-{c}", "child_id": f"p{p}-c{c}"}
            | {"start": start, "end": end}
            for c in range(first, first + 10)
        ]
        return json.dumps({"items": items}).encode()

    bodies = [body(n) for n in range(concurrency)]
    answers = await asyncio.gather(
        *(
            clients[n % len(clients)](body, headers[f"bench-p{n % providers_n}"])
            for n, body in enumerate(bodies)
        )
    )
    if sum(orjson.loads(a)["accepted"] for a in answers) != 10 * concurrency:
        raise RuntimeError(f"warm-up batches not all accepted: {answers[0][:300]!r}")
    while await runtime.relay.pending():
        await asyncio.sleep(0.005)


# Posts a batch body with its headers; returns the response body (raises on an error status).
Post = Callable[[bytes, dict[str, str]], Awaitable[bytes]]
PATH = "/v1/declarations/batch"


async def run_http(
    runtime: ServiceRuntime,
    clients: list[Post],
    headers: dict[str, dict[str, str]],
    batches: list[tuple[str, bytes]],
    concurrency: int,
    cpu: ProcessCpu,
) -> tuple[float, float, list[float], int]:
    """Post every batch, worker *i* to ``clients[i % len(clients)]``; then wait until the
    outbox is empty. Returns (HTTP seconds, end-to-end seconds, latencies, accepted)."""
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for b in batches:
        queue.put_nowait(b)
    latencies: list[float] = []
    accepted = 0

    async def worker(post: Post) -> None:
        nonlocal accepted
        while not queue.empty():
            pid, body = queue.get_nowait()
            t0 = time.perf_counter()
            answer = await post(body, headers[pid])
            latencies.append(time.perf_counter() - t0)
            accepted += orjson.loads(answer)["accepted"]

    before = await cpu.sample(runtime)
    start = time.perf_counter()
    await asyncio.gather(*(worker(clients[n % len(clients)]) for n in range(concurrency)))
    http_done = time.perf_counter()
    WAITING["at the last response"] = waiting = await runtime.relay.pending()
    while waiting:
        # Looked at every 5 ms (one small query): the end is found within 5 ms of the last
        # row's deletion (every 50 ms before: up to 2 % of a 100 000-record run's time).
        await asyncio.sleep(0.005)
        waiting = await runtime.relay.pending()
    end = time.perf_counter()
    CPU.update(cpu.spent(before, await cpu.sample(runtime)))
    return http_done - start, end - start, latencies, accepted


@contextlib.asynccontextmanager
async def in_process_client(runtime: ServiceRuntime, tokens: TestTokens) -> Any:
    """The service's app in this process, called through httpx's ASGI transport; the
    runtime's relay publishes."""
    runtime.token_verifier = tokens.verifier("attendance")
    app = definition("attendance").create_app(runtime, manage_lifecycle=False)
    _freeze_startup_objects()  # what `csa serve` does once the app is built (gc settings)
    runtime.relay.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://a", timeout=120) as client:

        async def post(body: bytes, headers: dict[str, str]) -> bytes:
            response = await client.post(PATH, content=body, headers=headers)
            response.raise_for_status()
            return response.content

        yield [post], []


@contextlib.asynccontextmanager
async def replica_clients(
    replicas: int, broker: Any, db: Any, tokens: TestTokens, work: Path
) -> Any:
    """``replicas`` ``csa serve attendance`` processes on one database (each with its relay,
    as pods of one deployment), and an HTTP client on loopback to each."""
    (work / "jwks.json").write_text(json.dumps(tokens.jwks()), encoding="utf-8")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "KAFKA_ENABLE_IDEMPOTENCE": str(broker.enable_idempotence).lower(),
        "ATTENDANCE_DATABASE_URL": db.url,
        "CSA_VAR_DIR": str(work),
        "CSA_LOG_LEVEL": "WARNING",
        "CSA_HTTP_HOST": "127.0.0.1",
        "CSA_OUTBOX_POLL_SECONDS": "0.05",
    }
    servers = []
    try:
        for _ in range(replicas):
            servers.append(await bl.start_server("attendance", env, work, None))
        # aiohttp on loopback: a provider system's client, lighter than httpx's (about a
        # quarter of its CPU per request), so the shared cores go to the service.
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout, raise_for_status=True) as session:
            clients = [_poster(session, s.base_url + PATH) for s in servers]
            yield clients, servers
    finally:
        for server in servers:
            server.stop()


def _poster(session: aiohttp.ClientSession, url: str) -> Post:
    async def post(body: bytes, headers: dict[str, str]) -> bytes:
        async with session.post(url, data=body, headers=headers) as response:
            return await response.read()

    return post


def stage_json(batches: list[tuple[str, bytes]]) -> float:
    t0 = time.perf_counter()
    n = sum(len(json.loads(body)["items"]) for _, body in batches)
    return n / (time.perf_counter() - t0)


async def stage_copy(dsn: str, rows: list[tuple[Any, ...]]) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE bench_copy (LIKE presences INCLUDING ALL)")
        t0 = time.perf_counter()
        await conn.copy_records_to_table(
            "bench_copy", records=rows, columns=list(presences.c.keys())
        )
        return len(rows) / (time.perf_counter() - t0)
    finally:
        await conn.close()


async def stage_produce(
    bootstrap: str, idempotence: bool, payloads: list[tuple[str, str]]
) -> float:
    topic = f"bench-produce-{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, [topic])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=idempotence,
        linger_ms=5,
        max_batch_size=1 << 20,
    )
    await producer.start()
    try:
        t0 = time.perf_counter()
        futures = [await producer.send(topic, p.encode(), key=k.encode()) for k, p in payloads]
        await asyncio.gather(*futures)
        return len(payloads) / (time.perf_counter() - t0)
    finally:
        await producer.stop()


def new_on_broker(before: list[Message], after: list[Message]) -> tuple[list[Message], set[str]]:
    """The messages of `after` not in `before`, and the ids of the presences they record."""
    seen = {(m.partition, m.offset) for m in before}
    new = [m for m in after if (m.partition, m.offset) not in seen]
    recorded = set[str]()
    for message in new:
        event = json.loads(message.value)
        if event["type"] == "lu.csa.attendance.presence.recorded.v1":
            recorded.add(event["data"]["presence_id"])
    return new, recorded


async def main(records: int, providers_n: int, concurrency: int, replicas: int) -> None:
    batches = make_batches(records, providers_n)
    records = sum(len(json.loads(b)["items"]) for _, b in batches)
    tokens = TestTokens()
    headers = {
        pid: {**tokens.header(tokens.provider(pid)), "content-type": "application/json"}
        for pid in {p for p, _ in batches}
    }
    with (
        PostgresDatabases() as databases,
        kafka_broker() as broker,
        tempfile.TemporaryDirectory(prefix="csa-bench-") as work,
    ):
        db = databases.create()
        try:
            await ensure_topics(broker.bootstrap, list(TOPICS.values()))
            settings = Settings(
                KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap,
                KAFKA_ENABLE_IDEMPOTENCE=broker.enable_idempotence,
                ATTENDANCE_DATABASE_URL=db.url,
                CSA_OUTBOX_POLL_SECONDS=0.05,
            )
            runtime = definition("attendance").build_runtime(settings)
            if replicas:  # this process seeds and reads the database; the replicas consume
                await runtime.migrate()
            else:
                await runtime.start(migrate=True, relay=False)
            try:
                await seed(runtime, providers_n)
                topic = TOPICS["attendance"]
                serving = (
                    replica_clients(replicas, broker, db, tokens, Path(work))
                    if replicas
                    else in_process_client(runtime, tokens)
                )
                async with serving as (clients, servers):
                    await warm_up(runtime, clients, headers, providers_n, concurrency)
                    before = await topic_messages(broker.bootstrap, topic)
                    broker_process = getattr(broker, "process", None)
                    cpu = ProcessCpu(servers, broker_process.pid if broker_process else None)
                    http_s, e2e_s, lat, accepted = await run_http(
                        runtime, clients, headers, batches, concurrency, cpu
                    )
                # Checked after the timed run: each accepted record reached the broker once.
                after = await topic_messages(broker.bootstrap, topic)
                new, recorded = new_on_broker(before, after)
                published, distinct = len(new), len(recorded)
                payloads = [(m.key, m.value.decode()) for m in new]
                async with runtime.sessions() as s:
                    rows = [tuple(r) for r in await s.execute(select(presences))]
            finally:
                await runtime.stop()
            json_rate = stage_json(batches)
            copy_rate = await stage_copy(db.async_url.replace("+asyncpg", ""), rows)
            produce_rate = await stage_produce(
                broker.bootstrap, broker.enable_idempotence, payloads
            )
        finally:
            databases.drop(db)
    e2e_rate, http_rate = records / e2e_s, records / http_s
    slowest = min(json_rate, copy_rate, produce_rate)
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[min(len(lat_ms) - 1, int(len(lat_ms) * 0.99))]
    print(
        f"records            {records} in {len(batches)} batches of <= {BATCH}, "
        f"{providers_n} providers, concurrency {concurrency}; accepted {accepted}"
    )
    print(
        f"end to end         {e2e_rate:>10,.0f} records/s  (HTTP + relay to broker, {e2e_s:.2f} s)"
    )
    once = published == distinct == accepted
    print(
        f"on the broker      {published:>10,} messages on {TOPICS['attendance']}, "
        f"{distinct:,} distinct presences "
        f"({'each accepted record once' if once else 'NOT each accepted record once'})"
    )
    print(
        f"HTTP ingest only   {http_rate:>10,.0f} records/s  "
        f"(committed to the outbox, {http_s:.2f} s; "
        f"{WAITING['at the last response']:,} events then waiting for the relays)"
    )
    shape = (
        f"{replicas} `csa serve attendance` replica(s) over loopback HTTP, this process the client"
        if replicas
        else "in-process ASGI: this process is HTTP client + service + relay"
    )
    print(f"service            {shape}")
    print(
        "CPU per record     "
        + ", ".join(f"{name} {seconds / records * 1e6:.0f} us" for name, seconds in CPU.items())
        + f"; all {sum(CPU.values()) / records * 1e6:.0f} us"
    )
    # How much of the machine the run had: a run that got far less than its cores (others'
    # work) is slow for that reason, whatever its code; the ratio below moves with it.
    print(
        f"cores used         {sum(CPU.values()) / e2e_s:.2f} of {os.cpu_count()} "
        "(the run's processes' CPU seconds / end-to-end seconds)"
    )
    print(f"request latency    p50 {statistics.median(lat_ms):.0f} ms   p99 {p99:.0f} ms")
    print(f"raw JSON decode    {json_rate:>10,.0f} records/s")
    print(f"raw PG COPY        {copy_rate:>10,.0f} records/s")
    print(f"raw Kafka produce  {produce_rate:>10,.0f} records/s")
    met = e2e_rate >= 20_000 and e2e_rate >= 0.5 * slowest
    print(
        f"end to end / slowest raw stage: {e2e_rate / slowest:.0%}  "
        f"(goal: >= 20 000 records/s and >= 50 %: {'met' if met else 'NOT met'})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--providers", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="serve with this many `csa serve attendance` processes (0: in-process ASGI)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.records, args.providers, args.concurrency, args.replicas))
