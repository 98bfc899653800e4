"""Latency benchmark: a provider system's single request to attendance → visible in billing's
projection, at a fixed request rate, through the production path on loopback:

    load generator ─HTTP→ attendance (uvicorn, PostgreSQL, outbox relay)
                   ─Kafka→ billing consumer (uvicorn, PostgreSQL, inbox) → its projection

    .venv/bin/python bench/bench_latency.py [--kind presence|meal|correction] [--rate 500]
        [--seconds 20] [--max-requests N]
        [--profile DIR]   # the servers under cProfile: DIR/attendance.prof, DIR/billing.prof

The kind (``latency_kinds``): ``presence`` (default) ``POST /v1/presences``, seen in billing's
``presence_projection``; ``meal`` ``POST /v1/meals``, seen in ``meal_projection``; ``correction``
``POST /v1/presences/{id}/amend``, seen when the presence's row is at version 2 (the presences
they rest on recorded first, in batches, and in billing before the warm-up; not measured).

Both services run as real servers: ``python -m csa serve attendance|billing`` subprocesses on
free 127.0.0.1 ports, each on its own throwaway PostgreSQL database (server of
TEST_DATABASE_URL, dropped at the end), migrated first with ``csa migrate``; the broker from
csa_shared.testing.broker (KAFKA_BOOTSTRAP_SERVERS, else testcontainers, else Tansu). Tokens
from csa_shared.testing.tokens, its key set the services' JWKS file (``latency_platform``).

Providers (``--providers``) and one education contract per child are registered through the
attendance API first; a warm-up of the kind's requests (the first day: one per provider and
child) must reach billing before the measured run. The generator (``latency_load``) is open
loop: request *i* is due at ``start + i / rate`` and is sent then, whatever became of earlier
ones; latencies count from the due time, so a server that falls behind is not hidden. The run
is bounded in time (``--seconds``) and count (``--max-requests``), and stops early, marked
"saturated", when more than ``--max-outstanding`` requests are unanswered (the services cannot
hold the rate); projections then get ``--drain-seconds`` to arrive.

End-to-end latency = billing's ``updated_at`` of the row that shows the request (stamped by
the billing process when it writes the row; same host clock) − the request's due time; a
poller also records when the row becomes visible to a reader of billing's database (every
``--poll-ms``), an upper bound. Also printed: CPU time of each server process per request
(what one process per service can hold). Baseline, same run, same broker: a raw aiokafka
produce (acks=all, awaited one by one as the relay sends) → consume (aiokafka defaults, as
billing's consumer) round trip of attendance's last event at the same rate, no database, no
HTTP. On Tansu a fetch waits out the consumer's ``fetch_max_wait_ms`` (500 ms) even when
records arrive, which sets that round trip's floor.

Errors (exit 1): a request not answered with the kind's status (201; a correction 200), a
transport error or timeout, a request not projected in time, an ERROR line in a service's
log. Not holding the rate is a goal not met (printed), not an error. The goal line checks
every goal of issue 24 for the kind and names what missed; the next line each service's CPU
per request against the issue's targets (``latency_goal``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from latency_goal import cpu_line, goal_line, pct, sustained  # noqa: F401 (soak: bl.sustained)
from latency_kinds import KINDS, Kind, kind_named
from latency_load import Clock, LoadRun, Result, Watcher, insert_stamps, open_loop
from latency_platform import (  # soak reaches them as bl.*
    WARMUP,
    Headers,
    Platform,
    Workload,
    plain_dsn,
    platform,
    seed,
)

from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.testing.broker import Broker
from csa_shared.testing.servers import cpu_seconds_of, start_server  # noqa: F401 (bench_ingest: bl.*)


@dataclass
class Measured:
    """What a run through the pipeline measured."""

    run: LoadRun
    post_ms: list[float]
    e2e_ms: list[float]  # insert stamp − due time
    seen_ms: list[float]  # first seen by the watcher − due time
    lost: list[Result]
    log_errors: list[str]
    cpu_ms: dict[str, float]  # per accepted request, per service, during the measured run
    generator_cpu_ms: float  # this process (HTTP client, watcher) per request sent
    kind: Kind

    @property
    def sent(self) -> int:
        return len(self.run.results)

    @property
    def accepted(self) -> int:
        return sum(r.status == self.run.ok for r in self.run.results)

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
            if r.error is not None or r.status != self.run.ok
        ][:limit]
        lines += [f"not projected: {r.record_id}" for r in self.lost[:limit]]
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
    kind: Kind | None = None,
) -> Measured:
    """Seed, record what the kind's requests rest on, warm up, then run the open-loop load
    of the kind's requests (presences by default) and collect the latencies."""
    kind = kind or kind_named("presence")
    clock = Clock()
    headers = Headers(plat.tokens, workload.providers)
    planned = workload.warm_up + min(max_requests, math.ceil(rate * seconds))
    slots = list(itertools.islice(workload.slots(), planned))
    upcoming = iter(slots)
    # The requests go through aiohttp, as bench_ingest's. httpx's pool (httpcore 1.0.9), each
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
        Watcher(plain_dsn(plat.billing_db), poll_s, kind.projection) as watcher,
    ):
        await seed(client, plat.tokens, workload)
        await kind.prepare(client, headers, slots, plat)

        async def send(_: int) -> tuple[int, str | None]:
            slot = next(upcoming)
            path, body = kind.request(slot)
            async with session.post(
                path, json=body, headers=headers.of(slot.provider_id)
            ) as response:
                answer = await response.read()
            status = response.status
            return status, orjson.loads(answer).get("id") if status == kind.ok else None

        # Warm-up: connections open, consumer group joined, caches filled (the first day:
        # one request of each child, which reads its provider and contract); not measured.
        warm = await open_loop(100, workload.warm_up, math.inf, send, watcher.expect, ok=kind.ok)
        if warm.errors:
            raise RuntimeError(f"warm-up failed: {warm.errors[0]}")
        await watcher.drain(120)
        if watcher.pending:
            raise RuntimeError(f"warm-up {kind.name}s not projected: {list(watcher.pending)}")

        background = asyncio.create_task(during()) if during else None
        cpu0 = {s.name: s.cpu_seconds() for s in plat.servers}
        generator0 = time.process_time()
        try:
            run = await open_loop(
                rate, max_requests, seconds, send, watcher.expect, max_outstanding, ok=kind.ok
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
    return await _measured(plat, kind, clock, run, lost, cpu, generator_s)


async def _measured(
    plat: Platform,
    kind: Kind,
    clock: Clock,
    run: LoadRun,
    lost: list[Result],
    cpu: dict[str, float],
    generator_s: float,
) -> Measured:
    """The run's figures, with billing's stamps of the rows that show the accepted ones."""
    accepted = [r for r in run.results if r.status == kind.ok and r.record_id is not None]
    ids = [r.record_id for r in accepted if r.record_id is not None]
    stamps = await insert_stamps(plain_dsn(plat.billing_db), ids, kind.projection)
    e2e = [
        (stamps[r.record_id] - clock.wall(r.due)) * 1000 for r in accepted if r.record_id in stamps
    ]
    return Measured(
        run=run,
        post_ms=[(r.done - r.due) * 1000 for r in run.results if r.status == kind.ok],
        e2e_ms=e2e,
        seen_ms=[(r.seen - r.due) * 1000 for r in accepted if not math.isnan(r.seen)],
        lost=lost,
        log_errors=[line for s in plat.servers for line in s.log_lines("ERROR")]
        + [line for s in plat.servers for line in s.log_lines("CRITICAL")],
        cpu_ms={name: seconds * 1000 / max(1, len(accepted)) for name, seconds in cpu.items()},
        generator_cpu_ms=generator_s * 1000 / max(1, len(run.results)),
        kind=kind,
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


async def sample_payload(broker: Broker) -> bytes:
    """The last event attendance published (the run's kind), as it is on the broker. (The
    outbox keeps no sent rows: read there, it was ``None``, 4 bytes, until issue 24's kinds.)"""
    topic = TOPICS["attendance"]
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap)
    await consumer.start()
    try:
        await consumer.topics()  # the cluster's metadata, this topic's partitions with it
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0}]
        ends = await consumer.end_offsets(partitions)
        last, end = max(ends.items(), key=lambda item: item[1])
        if end == 0:
            raise RuntimeError(f"nothing on {topic}")
        consumer.assign([last])
        consumer.seek(last, end - 1)
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert record.value is not None
    return bytes(record.value)


# -- report -----------------------------------------------------------------------------------


def p50_p99(values: list[float]) -> str:
    return f"p50 {pct(values, 0.50):7.1f} ms   p99 {pct(values, 0.99):7.1f} ms   (n={len(values)})"


def report_run(m: Measured, rate: float) -> None:
    stopped = "  STOPPED: saturated" if m.run.saturated else ""
    print(f"kind               {m.kind.describe()}")
    print(
        f"requests           {m.sent} sent, offered {m.offered_rate:,.1f} req/s "
        f"(target {rate:g}), served {m.run.served_rate:,.1f} req/s, "
        f"generator lag max {m.max_send_lag_ms:.1f} ms{stopped}"
    )
    print(f"POST latency       {p50_p99(m.post_ms)}")
    print(f"end to end         {p50_p99(m.e2e_ms)}   (POST due → {m.kind.shown})")
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
        + f"  per {m.kind.name} → one process per service holds at most "
        + ", ".join(f"{name} ~{1000 / ms:,.0f}/s" for name, ms in m.cpu_ms.items() if ms > 0)
        + " on one core of this machine"
    )
    print(
        f"generator CPU      {m.generator_cpu_ms:.2f} ms per request sent (this process: the "
        "HTTP client and the watcher, on the same cores)"
    )


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
            kind=kind_named(args.kind),
        )
        payload = await sample_payload(plat.broker)
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
    print(goal_line(measured, args.rate))
    print(cpu_line(measured))
    return 1 if measured.error_count or base_lost else 0


def parser(doc: str = __doc__ or "") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=doc.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--kind", choices=KINDS, default="presence",
        help="what each request is: a presence, a meal, or a correction of a presence",
    )  # fmt: skip
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
