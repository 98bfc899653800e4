"""Attendance server CPU per request: a new presence (``POST /v1/presences``), one meal (a
batch of one, ``POST /v1/declarations/batch``) and a presence correction (``POST
/v1/presences/{id}/amend``), beside a baseline from the same server in the same run: ``GET
/healthz`` through the same stack (uvicorn, middlewares, routing, no database).

    .venv/bin/python bench/bench_request_cpu.py [--requests 400] [--rounds 3] [--concurrency 4]
        [--profile DIR]   # the server under cProfile: DIR/attendance.prof

One ``csa serve attendance`` process on a throwaway PostgreSQL database (server of
TEST_DATABASE_URL), its outbox relay shipping to a broker (``csa_shared.testing.broker``), as
bench_latency runs it; providers and contracts registered through the API first, then a
warm-up of each kind. Each kind is a closed loop of ``--concurrency`` clients sending
``--requests`` requests; its figure is the server process's CPU time (user + system, Linux
/proc) from just before the first request until the relay has published every outbox row the
kind wrote, divided by the requests: the request's own work, uvicorn's HTTP parsing, and its
share of the relay's passes (a pass ships whatever committed since the last one, so fewer
clients means smaller passes and a larger share per request).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import bench_latency as bl
import httpx

from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.testing.broker import kafka_broker
from csa_shared.testing.postgres import PostgresDatabases
from csa_shared.testing.servers import Server, start_server
from csa_shared.testing.tokens import TestTokens

GOAL_MS = 1.0  # issue 24: attendance CPU per single POST /v1/presences
Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _outbox_empty(dsn: str, timeout_s: float = 30.0) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout_s
        while await connection.fetchval("SELECT count(*) FROM outbox"):
            if time.monotonic() > deadline:
                raise RuntimeError("the relay did not empty the outbox")
            await asyncio.sleep(0.02)
    finally:
        await connection.close()


async def _measure(
    server: Server, client: httpx.AsyncClient, dsn: str, send: Send, n: int, concurrency: int
) -> float:
    """Milliseconds of server CPU per request over `n` requests (outbox drained)."""
    await _outbox_empty(dsn)
    counter = iter(range(n))
    before = server.cpu_seconds()

    async def worker() -> None:
        for _ in counter:
            response = await send(client)
            if response.status_code >= 300:
                raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await _outbox_empty(dsn)
    return (server.cpu_seconds() - before) * 1000 / n


class Kinds:
    """The requests of each kind: presences from the workload's slots in order, then a meal
    and an amendment of each presence posted (its child, its day, its provider)."""

    def __init__(self, tokens: TestTokens, workload: bl.Workload) -> None:
        self._headers = bl.Headers(tokens, workload.providers)
        self._slots = workload.slots()
        self._posted: list[tuple[bl.Slot, str]] = []
        self._meals = self._amends = 0

    async def health(self, client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/healthz")

    async def presence(self, client: httpx.AsyncClient) -> httpx.Response:
        slot = next(self._slots)
        response = await client.post(
            "/v1/presences", headers=self._headers.of(slot.provider_id), json=slot.body()
        )
        if response.status_code == 201:
            self._posted.append((slot, response.json()["id"]))
        return response

    async def meal(self, client: httpx.AsyncClient) -> httpx.Response:
        slot, _ = self._posted[self._meals]
        self._meals += 1
        item = {"kind": "meal", "record_id": f"m-{slot.child_id}-{slot.day}",
                "child_id": slot.child_id, "day": slot.day.isoformat(), "count": 1}  # fmt: skip
        response = await client.post(
            "/v1/declarations/batch",
            headers=self._headers.of(slot.provider_id),
            json={"items": [item]},
        )
        if response.status_code == 200 and response.json()["accepted"] != 1:
            raise RuntimeError(f"meal not accepted: {response.text[:300]}")
        return response

    async def amend(self, client: httpx.AsyncClient) -> httpx.Response:
        slot, presence_id = self._posted[self._amends]
        self._amends += 1
        body = {"start": f"{slot.day}T08:15:00", "end": f"{slot.day}T16:00:00",
                "reason": "left early"}  # fmt: skip
        return await client.post(
            f"/v1/presences/{presence_id}/amend",
            headers=self._headers.of(slot.provider_id),
            json=body,
        )

    def by_name(self) -> dict[str, Send]:
        return {
            "GET /healthz": self.health,
            "new presence": self.presence,
            "one meal": self.meal,
            "amend": self.amend,
        }


async def run(args: argparse.Namespace) -> int:
    n, warm = args.requests, 20
    needed = n * args.rounds + warm
    workload = bl.Workload.sized(needed, args.providers, args.days)
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(PostgresDatabases()).create()
        broker = stack.enter_context(kafka_broker())
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="csa-bench-")))
        await ensure_topics(broker.bootstrap, list(TOPICS.values()))
        tokens = TestTokens()
        (work / "jwks.json").write_text(json.dumps(tokens.jwks()), encoding="utf-8")
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
               "KAFKA_ENABLE_IDEMPOTENCE": str(broker.enable_idempotence).lower(),
               "ATTENDANCE_DATABASE_URL": database.url, "CSA_VAR_DIR": str(work),
               "CSA_LOG_LEVEL": "INFO", "CSA_HTTP_HOST": "127.0.0.1"}  # fmt: skip
        subprocess.run([sys.executable, "-m", "csa", "migrate", "attendance"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        server = await start_server("attendance", env, work, args.profile)
        try:
            limits = httpx.Limits(max_connections=args.concurrency)
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=60, limits=limits
            ) as client:
                await bl.seed(client, tokens, workload)
                kinds = Kinds(tokens, workload).by_name()
                for send in kinds.values():  # warm-up: imports, pools, caches, statements
                    await _measure(server, client, database.url, send, warm, args.concurrency)
                figures: dict[str, list[float]] = {k: [] for k in kinds}
                for _ in range(args.rounds):
                    for name, send in kinds.items():
                        figures[name].append(
                            await _measure(server, client, database.url, send, n, args.concurrency)
                        )
                errors = server.log_lines("ERROR")
        finally:
            server.stop()
    _report(figures, args)
    return 1 if errors else 0


def _report(figures: dict[str, list[float]], args: argparse.Namespace) -> None:
    load = os.getloadavg()
    print(
        f"attendance server CPU per request, ms ({args.requests} requests x {args.rounds} "
        f"rounds per kind, {args.concurrency} clients, relay included; median of rounds; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
    )
    base = statistics.median(figures["GET /healthz"])
    for name, values in figures.items():
        ms = statistics.median(values)
        extra = "(baseline)" if name == "GET /healthz" else f"= baseline + {ms - base:.2f}"
        rounds = " ".join(f"{v:.2f}" for v in values)
        print(f"  {name:<14} {ms:6.2f}  {extra:<18} rounds: {rounds}")
    presence = statistics.median(figures["new presence"])
    met = "met" if presence <= GOAL_MS else "NOT met"
    print(f"goal: <= {GOAL_MS} ms of server CPU per new presence, relay included: {met}")


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--requests", type=int, default=400, help="requests per kind and round")
    p.add_argument("--rounds", type=int, default=3, help="rounds of every kind, alternating")
    p.add_argument("--concurrency", type=int, default=4, help="clients in the closed loop")
    p.add_argument("--providers", type=int, default=10)
    p.add_argument("--days", type=int, default=40, help="weekdays of presences per child")
    p.add_argument("--profile", type=Path, help="the server under cProfile: DIR/attendance.prof")
    return asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
