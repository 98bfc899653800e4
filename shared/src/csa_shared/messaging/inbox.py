"""Inbox: a consumer acts on each event id once, in the same transaction as its effect.

A redelivered event (after a crash before the offset commit, or a duplicate publish by
the outbox relay) finds its id already recorded and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from csa_shared.bus import Message
from csa_shared.events import Envelope, InvalidEvent, parse_event
from csa_shared.observability import metrics
from csa_shared.observability.tracing import consuming, tracing_enabled

log = logging.getLogger(__name__)

Outcome = Literal["processed", "duplicate", "rejected"]
EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
# Several consecutive events of the types it is registered for, in order, handled at once.
BatchHandler = Callable[[AsyncSession, list[Envelope]], Awaitable[None]]


@dataclass(frozen=True)
class Claim:
    """The inbox claim of a batch as SQL (PostgreSQL) for a handler that sends it inside its
    own first statement, one round trip for both: ``sql`` is an ``INSERT ... ON CONFLICT DO
    NOTHING RETURNING event_id`` (a data-modifying ``WITH`` query; its rows are the ids
    claimed now), ``params`` its bound parameters (names prefixed ``claim_``)."""

    sql: str
    params: dict[str, Any]


# Several consecutive events of its types handled at once, claiming them itself: it sends
# ``Claim`` within its own statement and returns the ids claimed now (the fresh ones), and
# acts on each fresh event's first occurrence only, in order, as ``claim_many`` + a
# ``BatchHandler`` would. Used on PostgreSQL when a whole batch is of its types.
ClaimingHandler = Callable[[AsyncSession, Claim, list[Envelope]], Awaitable[set[str]]]


def claim_sql(inbox: Table, *, consumer: str, events: Sequence[Envelope]) -> Claim:
    """The ``Claim`` of ``events`` by ``consumer`` (each id once): one statement text
    whatever the count (arrays), so PostgreSQL prepares it once per connection."""
    unique = {event.id: event for event in events}
    sql = (
        f"INSERT INTO {inbox.name} (consumer, event_id, event_type, processed_at, error) "
        "SELECT CAST(:claim_consumer AS text), e.id, e.type, CAST(:claim_at AS timestamptz), "
        "NULL FROM unnest(CAST(:claim_ids AS text[]), CAST(:claim_types AS text[])) "
        "AS e(id, type) ON CONFLICT DO NOTHING RETURNING event_id"
    )
    return Claim(
        sql,
        {
            "claim_consumer": consumer,
            "claim_at": datetime.now(UTC),
            "claim_ids": list(unique),
            "claim_types": [event.type for event in unique.values()],
        },
    )


async def claim(
    session: AsyncSession, inbox: Table, *, consumer: str, event: Envelope, error: str | None = None
) -> bool:
    """Record the event as processed by ``consumer``; False when it already was."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(inbox)
        .values(
            consumer=consumer,
            event_id=event.id,
            event_type=event.type,
            processed_at=datetime.now(UTC),
            error=error,
        )
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return bool(result.rowcount)


async def claim_many(
    session: AsyncSession, inbox: Table, *, consumer: str, events: Sequence[Envelope]
) -> set[str]:
    """Record the events as processed by ``consumer`` in one statement; the ids of those
    that were not already (each id once, however often it comes in ``events``)."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = datetime.now(UTC)
    statement = (
        insert(inbox)
        .values(
            [
                {
                    "consumer": consumer,
                    "event_id": event.id,
                    "event_type": event.type,
                    "processed_at": now,
                    "error": None,
                }
                for event in {event.id: event for event in events}.values()
            ]
        )
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return set((await session.execute(statement)).scalars())


class InboxConsumer:
    """Bus handler: parse, claim in the inbox, dispatch by event type, commit — all or nothing.

    Events of types this consumer does not handle are claimed and skipped. Events that
    break their schema are claimed with the error recorded (a poison message must not
    block its partition) and logged for an operator.
    """

    def __init__(
        self,
        *,
        name: str,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        handlers: dict[str, EventHandler],
        batch_handlers: dict[str, BatchHandler] | None = None,
        claiming_handlers: dict[str, ClaimingHandler] | None = None,
    ) -> None:
        self.name = name
        self._sessions = sessions
        self._inbox = inbox
        self._handlers = handlers
        self._batch_handlers = batch_handlers or {}
        self._claiming = claiming_handlers or {}

    @property
    def handled_types(self) -> frozenset[str]:
        """The event types this consumer acts on (others are claimed and skipped)."""
        return frozenset(self._handlers)

    async def __call__(self, message: Message) -> Outcome:
        try:
            event = parse_event(message.value)
        except InvalidEvent as exc:
            await self._reject(message, str(exc))
            return "rejected"
        handler = self._handlers.get(event.type)
        with consuming(self.name, message, event.id, dict(event.trace)):
            async with self._sessions.begin() as session:
                if not await claim(session, self._inbox, consumer=self.name, event=event):
                    metrics.EVENTS_CONSUMED.labels(self.name, event.type, "duplicate").inc()
                    return "duplicate"
                if handler is not None:
                    await handler(session, event)
        metrics.EVENTS_CONSUMED.labels(self.name, event.type, "processed").inc()
        return "processed"

    async def handle_batch(self, messages: Sequence[Message]) -> bool:
        """Several messages (a fetch's, each partition's in order) in one transaction: on
        PostgreSQL, when all are of one claiming handler's types, claimed and handled by
        its one statement; else claimed at once, runs of consecutive events of one batch
        handler handled together, the others by their handler, in order. False (nothing
        done) when this consumer has no batch handler (its handlers may act outside the
        database: one transaction per event), one does not parse or tracing is on (a span
        per event): the bus then hands them over one by one."""
        if not self._batch_handlers or tracing_enabled():
            return False
        try:
            events = [parse_event(message.value) for message in messages]
        except InvalidEvent:
            return False
        async with self._sessions.begin() as session:
            claiming = self._claiming_all(session, events)
            if claiming is not None:
                claim = claim_sql(self._inbox, consumer=self.name, events=events)
                outcomes = _outcomes(events, await claiming(session, claim, events))
            else:
                outcomes = await self._handle_in_runs(session, events)
        for type_, outcome in outcomes:
            metrics.EVENTS_CONSUMED.labels(self.name, type_, outcome).inc()
        return True

    def _claiming_all(self, session: AsyncSession, events: list[Envelope]) -> Any:
        """The claiming handler of every event of the batch (one and the same), else None."""
        if not self._claiming or session.bind is None or session.bind.dialect.name != "postgresql":
            return None
        handlers = {self._claiming.get(event.type) for event in events}
        return handlers.pop() if len(handlers) == 1 else None

    async def _handle_in_runs(
        self, session: AsyncSession, events: list[Envelope]
    ) -> list[tuple[str, Outcome]]:
        """Claim at once, then runs of consecutive events of one batch handler together,
        the others by their handler, in order; each event's outcome."""
        fresh = await claim_many(session, self._inbox, consumer=self.name, events=events)
        outcomes = _outcomes(events, fresh)
        run: list[Envelope] = []
        for event, (_, outcome) in zip(events, outcomes, strict=True):
            if outcome != "processed":
                continue
            batch = self._batch_handlers.get(event.type)
            if run and batch is not self._batch_handlers.get(run[0].type):
                await self._batch_handlers[run[0].type](session, run)
                run = []
            if batch is not None:
                run.append(event)
            elif (handler := self._handlers.get(event.type)) is not None:
                await handler(session, event)
        if run:
            await self._batch_handlers[run[0].type](session, run)
        return outcomes

    async def _reject(self, message: Message, error: str) -> None:
        log.error(
            "rejected invalid event",
            extra={
                "consumer": self.name,
                "topic": message.topic,
                "offset": message.offset,
                "error": error,
            },
        )
        poison = Envelope(
            type="invalid",
            source="/csa/unknown",
            subject=message.key or "unknown",
            data={},
            id=f"invalid:{message.topic}:{message.partition}:{message.offset}",
        )
        async with self._sessions.begin() as session:
            await claim(session, self._inbox, consumer=self.name, event=poison, error=error)
        metrics.EVENTS_CONSUMED.labels(self.name, "invalid", "rejected").inc()


def _outcomes(events: list[Envelope], fresh: set[str]) -> list[tuple[str, Outcome]]:
    """Each event's type and outcome: processed for the first occurrence of a fresh id."""
    left = set(fresh)
    outcomes: list[tuple[str, Outcome]] = []
    for event in events:
        outcomes.append((event.type, "processed" if event.id in left else "duplicate"))
        left.discard(event.id)
    return outcomes
