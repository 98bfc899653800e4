"""Transactional outbox: events are rows written in the business transaction.

A row holds one event, or a bulk ingest's events of one topic (`stage_outbox_batch`). The
relay publishes waiting rows in id order (so in order per key) and deletes each row once
the broker has acknowledged its messages (an event about a child stays in the database only
until it is published); while the broker is down it keeps them and retries with
exponential backoff. One pass at a time per service database, however many replicas run,
and no replica can keep the others waiting: a pass holds its lock as a lease (see
``OutboxRelay``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Table, any_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from csa_shared.bus import BusUnavailable, EventBus
from csa_shared.db import asyncpg_connection
from csa_shared.db.engine import is_postgres
from csa_shared.events import Envelope, topic_of
from csa_shared.messaging.tables import batch_row, row_messages
from csa_shared.observability import metrics
from csa_shared.observability.tracing import publishing

log = logging.getLogger(__name__)


async def add_to_outbox(
    session: AsyncSession | AsyncConnection, outbox: Table, *events: Envelope
) -> None:
    """Stage events in the caller's transaction; they leave only if it commits."""
    if not events:
        return
    now = datetime.now(UTC)
    await session.execute(outbox.insert(), [outbox_row(e, now) for e in events])


def outbox_row(event: Envelope, created_at: datetime) -> dict[str, Any]:
    """The outbox row of one event (all columns but `id`)."""
    return {
        "event_id": event.id,
        "topic": topic_of(event.type),
        "message_key": event.key,
        "payload": event.to_json().decode(),
        "created_at": created_at,
    }


OUTBOX_COLUMNS = ("event_id", "topic", "message_key", "payload", "created_at")


async def stage_outbox_records(
    session: AsyncSession, outbox: Table, records: Sequence[tuple[Any, ...]]
) -> None:
    """Outbox rows already encoded, as tuples of ``OUTBOX_COLUMNS``, in the session's
    transaction, as ``add_to_outbox`` writes them: one COPY on PostgreSQL, one multi-row
    INSERT elsewhere (bulk paths that build their documents without an ``Envelope``)."""
    if not records:
        return
    driver = await asyncpg_connection(session)
    if driver is not None:
        await driver.copy_records_to_table(
            outbox.name, records=records, columns=list(OUTBOX_COLUMNS)
        )
        return
    await session.execute(
        outbox.insert(), [dict(zip(OUTBOX_COLUMNS, r, strict=True)) for r in records]
    )


def outbox_batch_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` (outbox rows of one message each, in order) as rows of several messages each:
    one per run of consecutive rows of the same topic, so the order of the messages holds;
    a run of one stays a row of one message."""
    batched: list[dict[str, Any]] = []
    start = 0
    while start < len(rows):
        topic, end = rows[start]["topic"], start + 1
        while end < len(rows) and rows[end]["topic"] == topic:
            end += 1
        run = rows[start:end]
        if len(run) == 1:
            batched.append(dict(run[0]))
        else:
            batched.append(
                batch_row(
                    topic,
                    [r["event_id"] for r in run],
                    [r["message_key"] for r in run],
                    [r["payload"] for r in run],
                )
                | {"created_at": run[0]["created_at"]}
            )
        start = end
    return batched


class OutboxRelay:
    """Moves committed outbox rows to the bus; one relay per service replica.

    Passes never overlap: within the process a lock orders them, and across the replicas
    of a service on PostgreSQL each pass runs in a transaction holding an advisory lock
    (a replica that finds it taken skips the pass), so each row is published by one relay,
    in id order.

    The lock is a lease of ``lease_seconds``: the pass's transaction runs with that
    ``idle_in_transaction_session_timeout`` and ``statement_timeout`` (and a short
    ``lock_timeout``), so a replica that stops mid-pass (frozen, partitioned, stuck in a
    broker round trip) loses its session and its lock to the server, and the next pass of
    another replica publishes the rows. The stuck replica, should it wake, can only send
    copies (consumers' inboxes drop them): its commit fails, so it deletes nothing. The
    broker round trip is bounded by the lease too, so a slow broker fails the pass instead
    of outliving it. Set by the same statement that takes the lock: no extra round trip."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outbox: Table,
        bus: EventBus,
        service: str,
        poll_seconds: float = 0.5,
        # Messages per pass (whole rows: a pass may hold more). Under load a pass waits for
        # turns of an event loop busy with requests: larger passes keep up with ingest.
        batch_size: int = 20000,
        max_backoff_seconds: float = 10.0,
        # How long a pass may go without a word to the database (the broker round trip
        # included) before the server ends it and another replica takes over.
        lease_seconds: float = 15.0,
        lock_timeout_seconds: float = 2.0,
        # A pass starts this long after the commit that woke it: an event of a quiet
        # service leaves at once.
        linger_seconds: float = 0.005,
        # ... and this long after a pass that sent something (rows keep coming): single
        # requests' rows, hundreds a second, go several per pass, not one or two each (a
        # pass is five database round trips and a broker's acknowledgement: about 0.5 ms
        # of the process's CPU, issue 24).
        busy_linger_seconds: float = 0.02,
    ) -> None:
        self._engine = engine
        self._linger = linger_seconds
        self._busy_linger = busy_linger_seconds
        self._outbox = outbox
        self._bus = bus
        self._service = service
        self._poll = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._one_pass = asyncio.Lock()
        self._postgres = is_postgres(engine)
        self._lock_key = f"csa-outbox-relay:{service}:{outbox.name}"
        self._lease = lease_seconds
        self._timeouts = {
            "lease": f"{int(lease_seconds * 1000)}ms",
            "lock": f"{int(lock_timeout_seconds * 1000)}ms",
        }
        self._waiting = _waiting_rows(outbox, batch_size)
        self._waiting_sql = str(
            self._waiting.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        )
        chosen = outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger())))
        self._delete_sql = str(delete(outbox).where(chosen).compile(dialect=engine.dialect))

    def wake(self) -> None:
        """Ask for a pass now instead of at the next poll (called after a commit)."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._service}")

    async def stop(self) -> None:
        if self._task is not None:
            # Also flagged: a cancellation the database driver turns into another error
            # must not keep the loop going.
            self._stopping = True
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = self._poll
        while not self._stopping:
            try:
                sent = await self.publish_pending()
                backoff = self._poll
                if sent:
                    await asyncio.sleep(self._busy_linger)
                    continue
            except BusUnavailable as exc:
                log.warning("broker unavailable, outbox kept", extra={"error": str(exc)})
                metrics.OUTBOX_PUBLISH_FAILURES.labels(self._service).inc()
                backoff = min(max(backoff * 2, 0.2), self._max_backoff)
            except Exception:
                if self._stopping:
                    return
                log.exception("outbox relay pass failed")
                backoff = min(max(backoff * 2, 0.2), self._max_backoff)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
                await asyncio.sleep(self._linger)

    async def publish_pending(self) -> int:
        """Publish the first waiting rows in id order, up to ``batch_size`` messages, and
        delete them; returns how many messages were sent (0 as well when another replica's
        pass is running).

        One pooled connection for the pass. On PostgreSQL the pass is one transaction, its
        advisory lock released by the commit (or by the rollback of a failed pass), run on
        the asyncpg connection itself: BEGIN, the claim, the read, the delete and COMMIT
        are its five round trips, with no SQLAlchemy statement around them (issue 24: a
        pass every few requests under load). On SQLite (one process) the read's
        transaction ends before publishing: a stale read transaction could not turn into
        a write.
        """
        async with self._one_pass, self._engine.connect() as connection:
            if self._postgres:
                acknowledged, sent, published = await self._postgres_pass(connection)
            else:
                acknowledged, sent, published = await self._sqlite_pass(connection)
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(published)  # deleted and committed
        if acknowledged < sent:
            raise BusUnavailable(f"{sent - acknowledged} message(s) not acknowledged")
        return acknowledged

    async def _postgres_pass(self, connection: AsyncConnection) -> tuple[int, int, int]:
        """The pass on PostgreSQL: (messages acknowledged, messages sent, messages of the
        rows deleted). A failed pass rolls back and raises its own error; a connection the
        server closed (the lease ran out) is invalidated, not put back in the pool."""
        driver = await asyncpg_connection(connection)
        assert driver is not None
        transaction, stage = driver.transaction(), "begin"
        try:
            await transaction.start()
            stage = "steps"
            acknowledged, sent, published = await self._postgres_steps(driver)
            stage = "commit"  # a COMMIT that fails ends the transaction too
            await transaction.commit()
        except BaseException:
            if driver.is_closed():
                await connection.invalidate()
            elif stage == "steps":
                await transaction.rollback()
            raise
        return acknowledged, sent, published

    async def _postgres_steps(self, driver: Any) -> tuple[int, int, int]:
        """The claim, the read, the publishing and the delete, in the pass's transaction:
        (messages acknowledged, messages sent, messages of the rows deleted)."""
        timeouts = self._timeouts
        claim = await driver.fetchrow(CLAIM, timeouts["lease"], timeouts["lock"], self._lock_key)
        if not claim[3]:  # another replica's pass is running
            return 0, 0, 0
        rows = await driver.fetch(self._waiting_sql)
        if not rows:
            return 0, 0, 0
        acknowledged, sent, done, published = await self._send(rows)
        if done:
            await driver.execute(self._delete_sql, done)
        return acknowledged, sent, published

    async def _sqlite_pass(self, connection: AsyncConnection) -> tuple[int, int, int]:
        rows = (await connection.execute(self._waiting)).all()
        await connection.commit()
        if not rows:
            return 0, 0, 0
        acknowledged, sent, done, published = await self._send(rows)
        if done:
            await connection.execute(delete(self._outbox).where(self._outbox.c.id.in_(done)))
        await connection.commit()
        return acknowledged, sent, published

    async def _send(self, rows: Sequence[Any]) -> tuple[int, int, list[int], int]:
        """Publish the rows' messages in order: (messages acknowledged, messages sent, the
        ids of the rows wholly acknowledged, their messages). Rows wholly acknowledged
        before a failure go, so a retry resends only the rest (and the acknowledged part of
        a row, which consumers' inboxes drop)."""
        messages: list[tuple[str, str, bytes]] = []
        ends: list[int] = []  # per row, how many messages up to its last
        for row in rows:
            for topic, key, document in row_messages(row[1], row[2], row[3], row[4]):
                messages.append((topic, key, document.encode()))
            ends.append(len(messages))
        with publishing(self._service, messages):
            acknowledged = await self._publish(messages)
        done = [row[0] for row, end in zip(rows, ends, strict=True) if end <= acknowledged]
        return acknowledged, len(messages), done, ends[len(done) - 1] if done else 0

    async def _publish(self, messages: list[tuple[str, str, bytes]]) -> int:
        """The acknowledged prefix of `messages`; on PostgreSQL a round trip near the lease
        fails the pass (ended here before the server ends its transaction)."""
        if not self._postgres:
            return await self._bus.publish_many(messages)
        try:
            async with asyncio.timeout(self._lease * 0.8):
                return await self._bus.publish_many(messages)
        except TimeoutError:
            raise BusUnavailable(f"no acknowledgement within the {self._lease}s lease") from None

    async def warm(self, connection: AsyncConnection) -> None:
        """Prepare the pass's statements on ``connection``'s asyncpg connection as the pass
        sends them (the delete's bigint[] parameter costs asyncpg a type introspection per
        connection), changing nothing: the caller rolls back (`warm_up_pool`)."""
        driver = await asyncpg_connection(connection)
        if driver is None:
            return
        timeouts = self._timeouts
        await driver.fetchrow(CLAIM, timeouts["lease"], timeouts["lock"], self._lock_key)
        await driver.fetch(self._waiting_sql)
        await driver.execute(self._delete_sql, [0])

    async def pending(self) -> int:
        """How many committed messages are not published yet."""
        async with self._engine.connect() as connection:
            count = await connection.scalar(select(func.sum(self._outbox.c.message_count)))
            return int(count or 0)


#: The pass's lock and its lease, in one statement (``set_config(..., true)`` is a ``SET
#: LOCAL``: the transaction's end undoes it, the pooled session keeps nothing): $1 the lease,
#: $2 the lock timeout, $3 the lock's name.
CLAIM = (
    "SELECT set_config('idle_in_transaction_session_timeout', $1, true),"
    " set_config('statement_timeout', $1, true),"
    " set_config('lock_timeout', $2, true),"
    " pg_try_advisory_xact_lock(hashtext($3))"
)


def _waiting_rows(outbox: Table, messages: int) -> Any:
    """The first waiting rows in id order up to `messages` messages (at least one row):
    those with fewer than `messages` before them, counted over the first `messages` rows."""
    before = func.sum(outbox.c.message_count).over(order_by=outbox.c.id) - outbox.c.message_count
    head = select(outbox.c.id, before.label("before")).order_by(outbox.c.id).limit(messages)
    head = head.subquery("head")
    columns = (outbox.c.topic, outbox.c.message_key, outbox.c.payload, outbox.c.message_keys)
    return (
        select(outbox.c.id, *columns)
        .join_from(outbox, head, head.c.id == outbox.c.id)
        .where(head.c.before < messages)
        .order_by(outbox.c.id)
    )
