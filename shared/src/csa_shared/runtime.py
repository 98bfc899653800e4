"""What one running service owns: its database, its outbox relay, its consumers.

The composition root of each service builds a ``ServiceRuntime``; the HTTP app, the CLI
and the tests all drive the service through it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from csa_shared.auth import TokenVerifier
from csa_shared.bus import EventBus
from csa_shared.db import create_engine, session_factory, upgrade_to_head, warm_up_pool
from csa_shared.http.auth import token_verifier
from csa_shared.messaging.inbox import BatchHandler, ClaimingHandler, EventHandler, InboxConsumer
from csa_shared.messaging.outbox import OutboxRelay
from csa_shared.settings import ServiceName, Settings

log = logging.getLogger(__name__)


def build_bus(settings: Settings, *, client_id: str) -> EventBus:
    """Kafka when ``KAFKA_BOOTSTRAP_SERVERS`` is set, else the in-process bus."""
    if settings.kafka_bootstrap_servers:
        from csa_shared.bus.kafka import KafkaBus
        from csa_shared.bus.security import client_security

        return KafkaBus(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id=client_id,
            enable_idempotence=settings.kafka_enable_idempotence,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            fetch_min_bytes=settings.kafka_fetch_min_bytes,
            security=client_security(settings),
        )
    from csa_shared.bus.memory import InProcessBus

    return InProcessBus()


@dataclass
class ServiceRuntime:
    name: ServiceName
    settings: Settings
    metadata: MetaData
    migrations: Path
    bus: EventBus
    owns_bus: bool = True
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    relay: OutboxRelay = field(init=False)
    consumers: list[InboxConsumer] = field(default_factory=list, init=False)
    token_verifier: TokenVerifier = field(init=False)
    background: set[asyncio.Task[Any]] = field(default_factory=set, init=False)
    # jobs spawned by start() beside the requests until stop(), by name (e.g. billing's
    # resume of closes a dead process left half-way)
    at_start: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = field(
        default_factory=dict, init=False
    )
    # checks of /readyz beside the database and the bus, e.g. identity's signing key or the
    # key set that verifies tokens
    readiness: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict, init=False)
    # run on each pooled connection when the pool is warmed up (CSA_DB_POOL_WARM): the hot
    # statements prepared and planned there before the first request (`warm_up_pool`)
    connection_warmers: list[Callable[[AsyncConnection], Awaitable[None]]] = field(
        default_factory=list, init=False
    )

    def __post_init__(self) -> None:
        self.engine = create_engine(
            self.settings.database_url(self.name),
            ping_idle_seconds=self.settings.db_ping_idle_seconds,
            pool_size=self.settings.db_pool_size,
            max_overflow=self.settings.db_max_overflow,
        )
        self.sessions = session_factory(self.engine)
        self.relay = OutboxRelay(
            engine=self.engine,
            outbox=self.outbox,
            bus=self.bus,
            service=self.name,
            poll_seconds=self.settings.outbox_poll_seconds,
        )
        self.connection_warmers.append(self.relay.warm)
        self.token_verifier = token_verifier(self.settings, self.name)
        # No key, every request a 401: not ready (IDENTITY_URL unset or unanswered). Identity
        # checks its own signing key instead; embedded identity (dev mode, no IDENTITY_URL)
        # writes the key file only when it first signs.
        if self.name != "identity" and (self.settings.identity_url or not self.settings.dev_mode):
            self.readiness["token_keys"] = lambda: self.token_verifier.usable()

    @property
    def outbox(self) -> Table:
        return self.metadata.tables["outbox"]

    @property
    def inbox(self) -> Table:
        return self.metadata.tables["inbox"]

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of every event this service emits."""
        return f"/csa/{self.name}"

    def consume(
        self,
        *,
        group: str,
        topics: list[str],
        handlers: dict[str, EventHandler],
        batch_handlers: dict[str, BatchHandler] | None = None,
        claiming_handlers: dict[str, ClaimingHandler] | None = None,
    ) -> None:
        """Subscribe an inbox-guarded consumer group; call before ``start()``.
        ``batch_handlers``: event types handled several at once, ``claiming_handlers``: the
        same claiming them in their own statement (``InboxConsumer``)."""
        consumer = InboxConsumer(
            name=group,
            sessions=self.sessions,
            inbox=self.inbox,
            handlers=handlers,
            batch_handlers=batch_handlers,
            claiming_handlers=claiming_handlers,
        )
        self.consumers.append(consumer)
        self.bus.subscribe(group=group, topics=topics, handler=consumer)

    async def migrate(self) -> None:
        await upgrade_to_head(self.settings.database_url(self.name), self.migrations)

    async def start(self, *, migrate: bool = False, relay: bool = True) -> None:
        if migrate:
            await self.migrate()
        if self.settings.db_pool_warm:
            await warm_up_pool(self.engine, self.connection_warmers)
        if self.owns_bus:
            await self.bus.start()
        if relay:
            self.relay.start()
        for name, job in self.at_start.items():
            self.spawn(job(), name=name)

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run `work` beside the requests until it ends or `stop()` cancels it: a job
        started this way must be resumable (its committed steps kept, the rest redone)."""
        task = asyncio.create_task(work, name=name)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def stop(self) -> None:
        # Background jobs first: they use the database and the outbox, closed below.
        running = list(self.background)
        for task in running:
            log.warning("shutdown interrupts %s; starting it again resumes it", task.get_name())
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await self.relay.stop()
        if self.owns_bus:
            await self.bus.stop()
        await self.engine.dispose()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction; on commit the relay is woken to publish its outbox rows."""
        async with self.sessions.begin() as session:
            yield session
        self.relay.wake()

    async def database_ready(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database not ready", exc_info=True)
            return False
