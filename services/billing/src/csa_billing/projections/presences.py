"""Presence events projected with their inbox claim in one statement (issue 24).

A batch of presence events (recorded, corrected, voided) is, on PostgreSQL, one statement
beside BEGIN and COMMIT: the inbox claim, the version-aware upsert of the claimed events'
presences and the read of the closed months, as data-modifying ``WITH`` queries. What it
leaves is what ``claim_many`` and ``attendance.on_presences`` leave: an event claimed twice
changes nothing, an older version never overwrites a newer one, and a changed presence in a
closed month flags the child's period for re-billing, in the same transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from csa_billing.projections.attendance import (
    BATCH_HANDLERS,
    VOIDED,
    on_presences,
    presence_months,
    presence_row,
)
from csa_billing.projections.store import mark_dirty
from csa_shared.events import Envelope
from csa_shared.messaging.inbox import Claim, ClaimingHandler, claim_sql

# The columns of the projection's rows, in the order of the arrays below. Every array is
# sent as text[] and cast in the statement: asyncpg knows text[] without asking the server,
# other array types cost a type introspection query on each connection's first use.
_ARRAYS = (
    ("presence_id", "text"),
    ("provider_id", "text"),
    ("child_id", "text"),
    ("start", "timestamp"),
    ("end", "timestamp"),
    ("version", "integer"),
    ("voided", "boolean"),
)
_SET = ", ".join(f'"{column}" = excluded."{column}"' for column, _ in _ARRAYS[1:])
_UNNEST = ", ".join(
    f"CAST(:{column}s AS text[])" for column in ["event_id"] + [c for c, _ in _ARRAYS]
)
_COLUMNS = ", ".join(f'"{column}"' for column, _ in _ARRAYS)
_CAST = ", ".join(f'CAST(r."{column}" AS {kind})' for column, kind in _ARRAYS)
_FUSED = f"""WITH claimed AS ({{claim}}),
changed AS (
  INSERT INTO presence_projection AS p ({_COLUMNS}, updated_at)
  SELECT {_CAST}, CAST(:updated_at AS timestamptz)
  FROM unnest({_UNNEST}) AS r(event_id, {_COLUMNS})
  WHERE r.event_id IN (SELECT event_id FROM claimed)
  ON CONFLICT (presence_id) DO UPDATE SET {_SET}, updated_at = excluded.updated_at
  WHERE p.version < excluded.version
  RETURNING p.presence_id
)
SELECT 'claimed', event_id FROM claimed
UNION ALL SELECT 'changed', presence_id FROM changed
UNION ALL SELECT 'closed', month FROM billing_period"""


def _text(value: object) -> str:
    """A row's value as PostgreSQL reads it back from text (naive times, as projected)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _params(claim: Claim, lead: list[tuple[Envelope, dict[str, Any]]]) -> dict[str, Any]:
    params: dict[str, Any] = {
        **claim.params,
        "event_ids": [event.id for event, _ in lead],  # (the unnest's ``event_id`` column)
        "updated_at": datetime.now(UTC),
    }
    for column, _ in _ARRAYS:
        params[f"{column}s"] = [_text(row[column]) for _, row in lead]
    return params


@functools.cache
def _fused(claim_sql: str) -> TextClause:
    return text(_FUSED.format(claim=claim_sql))


def _first_run(events: list[Envelope]) -> int:
    """How many leading events have distinct presences (one upsert cannot touch a row twice;
    an event id repeated repeats its presence)."""
    seen: set[str] = set()
    for at, event in enumerate(events):
        if event.data["presence_id"] in seen:
            return at
        seen.add(event.data["presence_id"])
    return len(events)


async def on_presences_claiming(
    session: AsyncSession, claim: Claim, events: list[Envelope]
) -> set[str]:
    """Claim every event of the batch and project the leading run of distinct presences in
    one statement; the later events (a presence's second event) as ``on_presences`` does.
    The ids claimed now."""
    first = _first_run(events)
    lead = [
        (event, presence_row(event.data, voided=event.type == VOIDED)) for event in events[:first]
    ]
    found: dict[str, set[str]] = {"claimed": set(), "changed": set(), "closed": set()}
    for kind, value in await session.execute(_fused(claim.sql), _params(claim, lead)):
        found[kind].add(value)
    fresh, closed = found["claimed"], found["closed"]
    if closed:
        for event, row in lead:
            if row["presence_id"] in found["changed"]:
                months = presence_months(row, event.data)
                await mark_dirty(session, event.data["child_id"], months, closed)
    seen = {event.id for event, _ in lead}
    rest = []
    for event in events[first:]:
        if event.id in fresh and event.id not in seen:
            rest.append(event)
        seen.add(event.id)
    if rest:
        await on_presences(session, rest, closed)
    return fresh


CLAIMING_HANDLERS: dict[str, ClaimingHandler] = dict.fromkeys(BATCH_HANDLERS, on_presences_claiming)


#: executions per connection at warm-up: PostgreSQL plans a prepared statement anew for each
#: of its first five executions (custom plans) before it may keep a generic plan
WARM_EXECUTIONS = 6


def warmer(inbox: Table, consumer: str) -> Callable[[AsyncConnection], Awaitable[None]]:
    """A connection warmer (`warm_up_pool`): the batch's statement prepared and planned on
    a connection before the first fetch, executed with no event (it changes nothing)."""

    async def warm(connection: AsyncConnection) -> None:
        claim = claim_sql(inbox, consumer=consumer, events=[])
        for _ in range(WARM_EXECUTIONS):
            await connection.execute(_fused(claim.sql), _params(claim, []))

    return warm
