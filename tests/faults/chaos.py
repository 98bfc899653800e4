"""Fault injection for the platform's services, driven by a seeded random plan.

The faults are the real ones: the broker (Tansu) is frozen with SIGSTOP/SIGCONT, the outbox
relay task is cancelled (possibly mid-publish) and restarted, a consumer (billing's or
identity's) is killed after its transaction committed and before its offset was committed,
and every PostgreSQL backend of a service database is terminated from outside
(``pg_terminate_backend``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg2

from csa_shared.bus import Message
from csa_shared.messaging.inbox import InboxConsumer
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.polling import eventually  # noqa: F401  (re-exported for tests)

BROKER_OUTAGE = "broker-outage"
RELAY_RESTART = "relay-restart"
CONSUMER_KILL = "consumer-kill"
DB_DROP = "db-drop"


def plan(rng: random.Random, steps: int, faults: dict[str, int]) -> dict[int, list[str]]:
    """``faults[kind]`` random step indices per fault kind (away from both ends)."""
    schedule: dict[int, list[str]] = {}
    for kind, times in faults.items():
        for step in rng.sample(range(3, steps - 3), times):
            schedule.setdefault(step, []).append(kind)
    return schedule


def terminate_backends(database_url: str) -> int:
    """Kill every other PostgreSQL backend connected to the database of ``database_url``."""
    connection = psycopg2.connect(database_url, connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
            return int(row[0]) if row else 0
    finally:
        connection.close()


class KillableConsumer:
    """An inbox consumer that, once armed, handles the next message and then hangs.

    The handler's database transaction has committed, the Kafka offset has not: the
    process is then killed, as if it died between the two.
    """

    def __init__(self, consumer: InboxConsumer, outcomes: Counter[str]) -> None:
        self.consumer = consumer
        self.outcomes = outcomes
        self.armed = False
        self.hanging = asyncio.Event()

    async def __call__(self, message: Message) -> None:
        outcome = await self.consumer(message)
        self.outcomes[outcome] += 1
        if self.armed:
            self.armed = False
            self.hanging.set()
            await asyncio.Event().wait()  # killed here


@dataclass
class ConsumerNode:
    """A billing-like runtime whose consumer group can be killed and restarted."""

    build: Callable[[], tuple[ServiceRuntime, KillableConsumer]]
    runtime: ServiceRuntime | None = None
    consumer: KillableConsumer | None = None
    kills: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def start(self, *, migrate: bool = False) -> ServiceRuntime:
        self.runtime, self.consumer = self.build()
        await self.runtime.start(migrate=migrate)
        return self.runtime

    async def kill_and_restart(self, wait_s: float = 20.0) -> None:
        async with self._lock:  # one kill at a time, or a restarted instance would leak
            assert self.runtime is not None and self.consumer is not None
            self.consumer.armed = True
            with contextlib.suppress(TimeoutError):  # nothing came: killed while idle
                await asyncio.wait_for(self.consumer.hanging.wait(), wait_s)
            await self.runtime.stop()
            self.kills += 1
            await self.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None


def service_node(
    definition: Any, settings: Any, outcomes: Counter[str], *, killed_topic: str
) -> ConsumerNode:
    """A service wired as in production whose consumer of ``killed_topic`` can be killed.

    ``definition`` is the service's ``ServiceDefinition``; its own ``subscribe`` wires the
    consumers, each wrapped so that the one reading ``killed_topic`` can hang after its commit.
    """

    def build() -> tuple[ServiceRuntime, KillableConsumer]:
        killable: list[KillableConsumer] = []

        def consume(
            runtime: ServiceRuntime,
            *,
            group: str,
            topics: list[str],
            handlers: dict[str, Any],
            batch_handlers: dict[str, Any] | None = None,
            claiming_handlers: dict[str, Any] | None = None,
        ) -> None:
            # (the killable wrapper takes messages one by one: no `handle_batch`)
            inbox = InboxConsumer(
                name=group,
                sessions=runtime.sessions,
                inbox=runtime.inbox,
                handlers=handlers,
                batch_handlers=batch_handlers,
                claiming_handlers=claiming_handlers,
            )
            runtime.consumers.append(inbox)
            wrapped = KillableConsumer(inbox, outcomes)
            if killed_topic in topics:
                killable.append(wrapped)
            runtime.bus.subscribe(group=group, topics=topics, handler=wrapped)

        # the service wires its consumers while it builds its runtime (identity first attaches
        # its context): wrap each one as it is subscribed
        original = ServiceRuntime.consume
        ServiceRuntime.consume = consume  # type: ignore[method-assign,assignment]
        try:
            runtime = definition.build_runtime(settings)
        finally:
            ServiceRuntime.consume = original  # type: ignore[method-assign]
        (consumer,) = killable
        return runtime, consumer

    return ConsumerNode(build)


@dataclass
class Chaos:
    """Runs the planned faults; long faults (outage, relay down) heal in the background."""

    rng: random.Random
    broker: Any
    relays: list[ServiceRuntime]
    database_urls: list[str]
    nodes: list[ConsumerNode] = field(default_factory=list)
    done: Counter[str] = field(default_factory=Counter)
    journal: list[str] = field(default_factory=list)
    phase: str = "setup"
    _healing: list[asyncio.Task[None]] = field(default_factory=list)
    _broker_down: bool = False
    _started: float = field(default_factory=time.monotonic)

    async def inject(self, kind: str) -> None:
        self.journal.append(f"{time.monotonic() - self._started:6.2f}s {kind}")
        if kind == BROKER_OUTAGE:
            await self._broker_outage()
        elif kind == RELAY_RESTART:
            runtime = self.rng.choice(self.relays)
            await runtime.relay.stop()
            self._heal(self.rng.uniform(0.1, 1.0), _start_relay(runtime))
        elif kind == CONSUMER_KILL:
            node = self.rng.choice(self.nodes)
            self._healing.append(asyncio.create_task(node.kill_and_restart()))
        elif kind == DB_DROP:
            for url in self.database_urls:
                await asyncio.to_thread(terminate_backends, url)
        else:
            raise ValueError(kind)
        self.done[kind] += 1

    async def _broker_outage(self) -> None:
        while self._broker_down:  # the previous outage is not over yet
            await asyncio.sleep(0.05)
        self._broker_down = True
        await asyncio.to_thread(self.broker.pause)

        async def resume() -> None:
            await asyncio.to_thread(self.broker.resume)
            self._broker_down = False

        self._heal(self.rng.uniform(0.5, 2.0), resume())

    def _heal(self, after_s: float, action: Awaitable[None]) -> None:
        async def later() -> None:
            await asyncio.sleep(after_s)
            await action

        self._healing.append(asyncio.create_task(later()))

    async def healed(self) -> None:
        """Wait for every background repair (broker resumed, relays and consumers back)."""
        while self._healing:
            pending, self._healing = self._healing, []
            await asyncio.gather(*pending)

    async def abort(self) -> None:
        """Undo what is still broken (test failure path): never leave the broker stopped."""
        for task in self._healing:
            task.cancel()
        await asyncio.gather(*self._healing, return_exceptions=True)
        if self._broker_down:
            await asyncio.to_thread(self.broker.resume)
            self._broker_down = False


async def _start_relay(runtime: ServiceRuntime) -> None:
    runtime.relay.start()


@contextlib.asynccontextmanager
async def budget(seconds: float, chaos: Chaos) -> AsyncIterator[None]:
    """Fail (instead of hanging the suite) when the block takes more than ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise AssertionError(
            f"over the {seconds} s budget in phase {chaos.phase!r}; faults {chaos.journal}\n"
            f"{task_stacks()}"
        ) from None


def task_stacks() -> str:
    """Where every asyncio task of the loop waits (diagnosis of a test over its budget)."""
    out = []
    for task in asyncio.all_tasks():
        frames = task.get_stack(limit=6)
        where = " <- ".join(f"{f.f_code.co_name}:{f.f_lineno}" for f in reversed(frames))
        out.append(f"{task.get_name()}: {where}")
    return "\n".join(sorted(out))


async def post_until_answered(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], *, attempts: int = 20, **kw: Any
) -> tuple[httpx.Response, int]:
    """POST as a partner would: retry on 5xx or a broken connection; (answer, failures)."""
    failures = 0
    for _ in range(attempts):
        try:
            response = await client.post(url, json=body, **kw)
        except Exception:  # the app raised (e.g. its database connection was killed)
            failures += 1
        else:
            if response.status_code < 500:
                return response, failures
            failures += 1
        await asyncio.sleep(0.05)
    raise AssertionError(f"POST {url} never answered below 500 after {attempts} attempts")
