"""A presence or meal correction in two round trips on PostgreSQL (issue 24): one read, one
write, each a single statement in autocommit (its own transaction: no BEGIN, no COMMIT).

1. The read, outside any lock: the record's row, the registry's state (version, closed
   months) and the ledger the correction is decided against (`attendance_correction_ledger`,
   migration 0012: what `repository.load_records` reads for one record and one child, as
   JSON, with its `print`), all in the statement's one snapshot. The domain decides on
   them as on the locked path's reads.
2. The write: the correction's statement (`correction_statements.save_statement`, checked)
   whose writes are guarded by `attendance_correction_clear`: the provider's ingest lock,
   then, read afresh, the registry at the version read and the ledger's print unchanged.
   When anything changed, nothing is written and the caller takes the locked path, which
   reads and decides again: no correction is ever decided on a stale ledger.

A refusal decided on the read is the answer the locked path would have given at the moment
of the read (one snapshot of everything the decision looks at).

Both statements go to one pooled asyncpg connection, past SQLAlchemy's execution
(`raw.RawConnection`, as a new presence's statement), with no session: the endpoints open
the request's unit of work only for the locked path (issue 24: a correction's CPU).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Date, DateTime, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from csa_attendance.domain.errors import UnknownRecord
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.records import RecordHistory
from csa_attendance.events import check_staged, staged_events
from csa_attendance.presences import raw, repository
from csa_attendance.presences.correction_statements import (
    MEAL,
    PRESENCE,
    Kind,
    save_params,
    save_statement,
)
from csa_attendance.registry.cache import Registry, cached, registry_of
from csa_attendance.tables import meal_versions, meals, presence_versions, presences

Histories = list[RecordHistory[Any]]
#: the domain's decision on the record's history: its new history and event
Decide = Callable[[RecordHistory[Any], AttendanceState, frozenset[str]], tuple[Any, Any]]

# The window of the ledger read (`lo`, `hi`): a presence's times and the amended ones; a
# meal's day and the amended one, whole days (as `meals.service.correct_meal` computes it).
_WINDOWS = {
    "presence": 'least(r.start, :a_lo) AS lo, greatest(r."end", :a_hi) AS hi',
    "meal": "least(r.day, :a_lo)::timestamp AS lo, greatest(r.day, :a_hi)::timestamp"
    " + interval '1 day' - interval '1 microsecond' AS hi",
}


def _read_statement(kind: Kind) -> Any:
    return text(
        "SELECT w.lo, w.hi, (SELECT version FROM registry_version WHERE id = 1) AS registry,"
        " (SELECT array_agg(month) FROM closed_periods) AS closed, l.*"
        f" FROM {kind.table.name} r CROSS JOIN LATERAL (SELECT {_WINDOWS[kind.name]}) w"
        " CROSS JOIN LATERAL attendance_correction_ledger("
        "r.provider_id, r.provider_record_id, r.child_id, w.lo, w.hi) l"
        " WHERE r.id = :id"
    )


_READS = {kind: _read_statement(kind) for kind in (PRESENCE, MEAL)}


def _parsers(table: Table) -> list[tuple[str, Any]]:
    """Each column of `table` and how its JSON value is read back (dates and times as
    ISO strings; the rest as they are)."""
    found: list[tuple[str, Any]] = []
    for column in table.c:
        if isinstance(column.type, DateTime):
            found.append((column.name, datetime.fromisoformat))
        elif isinstance(column.type, Date):
            found.append((column.name, date.fromisoformat))
        else:
            found.append((column.name, None))
    return found


_PARSERS = {t: _parsers(t) for t in (presences, presence_versions, meals, meal_versions)}


def _rows(table: Table, value: Any) -> list[Any]:
    """A JSON array of `table`'s rows as `repository.row_type` rows."""
    if value is None:
        return []
    items = orjson.loads(value) if isinstance(value, str | bytes) else value
    make, parsers = repository.row_type(table), _PARSERS[table]
    return [
        make(*(p(d[c]) if p is not None and d[c] is not None else d[c] for c, p in parsers))
        for d in items
    ]


@dataclass(frozen=True, slots=True)
class _Read:
    """What the read found: the record's row, the registry's state, the ledger."""

    row: Any
    registry: tuple[int, frozenset[str]]
    presences: Histories
    meals: Histories
    checked: dict[str, Any]  # the check's parameters but the lock


def _read(kind: Kind, record_id: str, found: Any) -> _Read | None:
    lo, hi, registry, closed, p_json, pv_json, m_json, mv_json, printed = found
    p_rows = _rows(presences, p_json)
    m_rows = _rows(meals, m_json)
    row = next((r for r in (p_rows if kind is PRESENCE else m_rows) if r.id == record_id), None)
    if row is None:  # (the read's snapshot has it: its key read finds it)
        return None
    p, _ = repository.histories_of(
        p_rows, _rows(presence_versions, pv_json), "presence_id", repository.as_presence
    )
    m, _ = repository.histories_of(
        m_rows, _rows(meal_versions, mv_json), "meal_id", repository.as_meal
    )
    checked = {"registry": registry, "print": printed, "lo": lo, "hi": hi}
    checked.update(provider=row.provider_id, record=row.provider_record_id, child=row.child_id)
    return _Read(row, (registry, frozenset(closed or ())), p, m, checked)


def state_of(
    known: Registry, presences: Histories, meals: Histories, reservations: Histories
) -> tuple[AttendanceState, frozenset[str]]:
    """The state a correction is decided against, and the closed months."""
    state = AttendanceState(
        providers=known.providers,
        contracts=known.contracts,
        presences=presences,
        meals=meals,
        reservations=reservations,
    )
    return state, known.closed


async def correction_state(
    session: AsyncSession,
    provider_id: str,
    child_id: str,
    presences: Histories,
    meals: Histories,
    reservations: Histories,
    registry: tuple[int, frozenset[str]] | None = None,
) -> tuple[AttendanceState, frozenset[str]]:
    """The state a correction of one of `child_id`'s records is decided against, and the
    closed months (the registry's part from the cache when current, `registry_of`;
    `registry`: its state as read already)."""
    known = await registry_of(session, provider_id, (child_id,), registry)
    return state_of(known, presences, meals, reservations)


def history_of(histories: Histories, row: Any) -> RecordHistory[Any]:
    """The history of the record of `row` among `histories` (its provider's, its key)."""
    return next(
        h
        for h in histories
        if h.key.record_id == row.provider_record_id and h.key.provider_id == row.provider_id
    )


async def _registry(
    engine: AsyncEngine, connection: raw.RawConnection, provider_id: str, read: _Read
) -> Registry:
    """The registry from the cache when current; else read, in autocommit, once the raw
    connection is given back (never a second one held with it: waiting for it while
    holding one could exhaust the pool)."""
    child = (read.row.child_id,)
    hit = cached(engine, provider_id, child, read.registry)
    if hit is not None:
        return hit
    await connection.release()
    async with engine.connect() as opened:
        alone = await opened.execution_options(isolation_level="AUTOCOMMIT")
        return await registry_of(AsyncSession(bind=alone), provider_id, child, read.registry)


def _read_prepared(engine: AsyncEngine, kind: Kind) -> raw.Prepared:
    return raw.prepared(engine, ("correction read", kind.name), lambda: _READS[kind])


def _write_prepared(engine: AsyncEngine, kind: Kind, outbox: Table, first: bool) -> raw.Prepared:
    shape = ("correction write", kind.name, outbox.name, first)
    return raw.prepared(engine, shape, lambda: save_statement(kind, outbox, first, checked=True))


async def correct(
    engine: AsyncEngine,
    outbox: Table,
    kind: Kind,
    provider_id: str,
    record_id: str,
    amended: tuple[Any, Any],
    decide: Decide,
    *,
    source: str,
) -> tuple[Any, Any, Any] | None:
    """Correct `provider_id`'s record `record_id` of `kind` in two round trips: the row as
    read, the new history and the updated row (a `repository.row_type` row); None when the
    write found the ledger or the registry changed since the read (nothing written: take
    the locked path).

    `amended`: the new times of a presence or the new day of a meal (both that day), the
    window the ledger is read in with the record's own; (None, None) for a void. Refusals
    are raised as domain errors (`UnknownRecord` for a record not the provider's).

    Both statements on one pooled asyncpg connection in autocommit, past SQLAlchemy's
    execution (`raw.RawConnection`, as `one_statement`; issue 24): no session."""
    async with raw.RawConnection(engine) as connection:
        params = {"id": record_id, "a_lo": amended[0], "a_hi": amended[1]}
        found = await connection.fetchrow(_read_prepared(engine, kind), params)
        read = _read(kind, record_id, found) if found is not None else None
        if read is None or read.row.provider_id != provider_id:
            raise UnknownRecord(kind.name, record_id)
        row = read.row
        known = await _registry(engine, connection, provider_id, read)
        state, closed = state_of(known, read.presences, read.meals, [])
        history = history_of(read.presences if kind is PRESENCE else read.meals, row)
        new, event = decide(history, state, closed)
        # its outbox row as a new presence's (`staged_events`: the document `to_envelope`
        # builds, without an `Envelope`), checked against its schema
        (staged,) = staged_events([(event, record_id)], source=source)
        check_staged(staged)
        write = save_params(kind, row, new.current, staged)
        write.update({f"c_{k}": v for k, v in read.checked.items()})
        write["c_lock"] = f"att:{provider_id}"
        statement = _write_prepared(engine, kind, outbox, row.version == 1)
        updated = await connection.fetchrow(statement, write)
    if updated is None:
        return None
    return row, new, repository.row_type(kind.table)(*updated)


async def warm(connection: AsyncConnection, outbox: Table) -> None:
    """A correction's statements (its read, its checked writes of both shapes, of both
    kinds) prepared on `connection` as `correct` sends them, so the first burst of
    corrections does not prepare them on each connection: the read of no record, the
    writes checked against a registry version there never is (nothing written). The caller
    rolls back (`warm_up_pool`)."""
    for kind in (PRESENCE, MEAL):
        absent = {"id": "warm-up", "a_lo": None, "a_hi": None}
        await raw.fetchrow_on(connection, _read_prepared(connection.engine, kind), absent)
        for first in (True, False):
            statement = _write_prepared(connection.engine, kind, outbox, first)
            nothing = dict.fromkeys(statement.order) | {"c_registry": -1}
            await raw.fetchrow_on(connection, statement, nothing)
