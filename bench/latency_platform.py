"""bench_latency's platform and workload: the broker, two databases, attendance and billing
as ``csa serve`` processes; the providers, their children's contracts and the (provider,
child, day) slots the requests take (bench_latency.py's docstring tells the whole)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from csa_shared.bus.kafka import ensure_topics
from csa_shared.events import TOPICS
from csa_shared.testing.broker import Broker, kafka_broker
from csa_shared.testing.postgres import PostgresDatabases, TestDatabase
from csa_shared.testing.servers import Server, start_server
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
        expect(response, 201)
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
        expect(response, 201)

    await asyncio.gather(
        *(contract(p, n) for p in workload.providers for n in range(workload.children))
    )


def expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
