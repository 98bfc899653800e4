"""Presence and meal events projected with their inbox claim in one statement (issue 24).

A batch of one kind of record's events (presences: recorded, corrected, voided; meals:
recorded, corrected) is, on PostgreSQL, one statement beside BEGIN and COMMIT: the inbox
claim, the version-aware upsert of the claimed events' records and the read of the closed
months, as data-modifying ``WITH`` queries. What it leaves is what ``claim_many`` and
``attendance.on_records`` leave: an event claimed twice changes nothing, an older version
never overwrites a newer one, and a changed record in a closed month flags the child's
period for re-billing, in the same transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from csa_billing.projections.attendance import (
    BATCH_HANDLERS,
    MEALS,
    PRESENCES,
    Records,
    mark_changed,
    on_presences,
    on_records,
)
from csa_shared.db import WARM_EXECUTIONS
from csa_shared.events import Envelope
from csa_shared.messaging.inbox import Claim, ClaimingHandler, claim_sql


@dataclass(frozen=True, eq=False)
class Fused:
    """A kind of record's batch statement. ``arrays``: the projection's columns (its key
    first) in the order of the statement's arrays, each with its SQL type. Every array is
    sent as text[] and cast in the statement: asyncpg knows text[] without asking the
    server, other array types cost a type introspection query on each connection's first
    use."""

    records: Records
    arrays: tuple[tuple[str, str], ...]

    @functools.cached_property
    def template(self) -> str:
        """The statement, ``{claim}`` standing for the inbox claim's SQL."""
        key, table = self.records.key, self.records.table.name
        columns = ", ".join(f'"{column}"' for column, _ in self.arrays)
        unnest = ", ".join(
            f"CAST(:{column}s AS text[])" for column in ["event_id"] + [c for c, _ in self.arrays]
        )
        cast = ", ".join(f'CAST(r."{column}" AS {kind})' for column, kind in self.arrays)
        update = ", ".join(f'"{column}" = excluded."{column}"' for column, _ in self.arrays[1:])
        # (literal braces doubled: the text is formatted once more with the claim)
        return f"""WITH claimed AS ({{claim}}),
changed AS (
  INSERT INTO {table} AS p ({columns}, updated_at)
  SELECT {cast}, CAST(:updated_at AS timestamptz)
  FROM unnest({unnest}) AS r(event_id, {columns})
  WHERE r.event_id IN (SELECT event_id FROM claimed)
  ON CONFLICT ({key}) DO UPDATE SET {update}, updated_at = excluded.updated_at
  WHERE p.version < excluded.version
  RETURNING p.{key}
)
SELECT 'claimed', event_id FROM claimed
UNION ALL SELECT 'changed', {key} FROM changed
UNION ALL SELECT 'closed', month FROM billing_period"""

    def statement(self, claim: Claim) -> TextClause:
        return _statement(self.template, claim.sql)

    def params(self, claim: Claim, lead: list[tuple[Envelope, dict[str, Any]]]) -> dict[str, Any]:
        params: dict[str, Any] = {
            **claim.params,
            "event_ids": [event.id for event, _ in lead],  # (the unnest's ``event_id`` column)
            "updated_at": datetime.now(UTC),
        }
        for column, _ in self.arrays:
            params[f"{column}s"] = [_text(row[column]) for _, row in lead]
        return params

    async def __call__(
        self, session: AsyncSession, claim: Claim, events: list[Envelope]
    ) -> set[str]:
        """Claim every event of the batch and project the leading run of distinct records
        in one statement; the later events (a record's second event) as ``on_records``
        does. The ids claimed now."""
        records = self.records
        lead = [(event, records.row(event)) for event in events[: records.first_run(events)]]
        found: dict[str, set[str]] = {"claimed": set(), "changed": set(), "closed": set()}
        for kind, value in await session.execute(self.statement(claim), self.params(claim, lead)):
            found[kind].add(value)
        fresh, closed = found["claimed"], found["closed"]
        if closed:
            await mark_changed(session, records, lead, found["changed"], closed)
        seen = {event.id for event, _ in lead}
        rest = []
        for event in events[len(lead) :]:
            if event.id in fresh and event.id not in seen:
                rest.append(event)
            seen.add(event.id)
        if rest:
            await on_records(session, records, rest, closed)
        return fresh


@functools.cache
def _statement(template: str, claim_sql: str) -> TextClause:
    return text(template.format(claim=claim_sql))


def _text(value: object) -> str:
    """A row's value as PostgreSQL reads it back from text (naive times, as projected)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


_TEXT = ("provider_id", "text"), ("child_id", "text")
_STAMP = ("version", "integer"), ("voided", "boolean")
PRESENCE_BATCH = Fused(
    PRESENCES,
    (("presence_id", "text"), *_TEXT, ("start", "timestamp"), ("end", "timestamp"), *_STAMP),
)
MEAL_BATCH = Fused(
    MEALS, (("meal_id", "text"), *_TEXT, ("day", "date"), ("count", "integer"), *_STAMP)
)

CLAIMING_HANDLERS: dict[str, ClaimingHandler] = {
    type_: PRESENCE_BATCH if handler is on_presences else MEAL_BATCH
    for type_, handler in BATCH_HANDLERS.items()
}


def warmer(inbox: Table, consumer: str) -> Callable[[AsyncConnection], Awaitable[None]]:
    """A connection warmer (`warm_up_pool`): each batch statement prepared and planned on a
    connection before the first fetch, executed with no event (it changes nothing)."""

    async def warm(connection: AsyncConnection) -> None:
        claim = claim_sql(inbox, consumer=consumer, events=[])
        for fused in (PRESENCE_BATCH, MEAL_BATCH):
            for _ in range(WARM_EXECUTIONS):
                await connection.execute(fused.statement(claim), fused.params(claim, []))

    return warm
