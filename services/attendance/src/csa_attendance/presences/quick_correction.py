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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Date, DateTime, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from csa_attendance.domain.errors import UnknownRecord
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.records import RecordHistory
from csa_attendance.events import to_envelope
from csa_attendance.presences import repository
from csa_attendance.presences.correction_statements import (
    MEAL,
    PRESENCE,
    Kind,
    save_params,
    save_statement,
)
from csa_attendance.registry.cache import registry_of
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


def _histories(records: list[Any], versions: list[Any], key: str, build: Any) -> Histories:
    by_id: dict[str, list[Any]] = {}
    for v in versions:
        by_id.setdefault(getattr(v, key), []).append(v)
    return repository.histories_of(records, by_id, build)[0]


@dataclass(frozen=True, slots=True)
class _Read:
    """What the read found: the record's row, the registry's state, the ledger."""

    row: Any
    registry: tuple[int, frozenset[str]]
    presences: Histories
    meals: Histories
    checked: dict[str, Any]  # the check's parameters but the lock


def _read(kind: Kind, record_id: str, found: Any) -> _Read | None:
    p_rows = _rows(presences, found.presence_rows)
    m_rows = _rows(meals, found.meal_rows)
    row = next((r for r in (p_rows if kind is PRESENCE else m_rows) if r.id == record_id), None)
    if row is None:  # (the read's snapshot has it: its key read finds it)
        return None
    p = _histories(p_rows, _rows(presence_versions, found.presence_version_rows), "presence_id",
                   repository.as_presence)  # fmt: skip
    m = _histories(m_rows, _rows(meal_versions, found.meal_version_rows), "meal_id",
                   repository.as_meal)  # fmt: skip
    checked = {"registry": found.registry, "print": found.print, "lo": found.lo, "hi": found.hi}
    checked.update(provider=row.provider_id, record=row.provider_record_id, child=row.child_id)
    return _Read(row, (found.registry, frozenset(found.closed or ())), p, m, checked)


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
    state = AttendanceState(
        providers=known.providers,
        contracts=known.contracts,
        presences=presences,
        meals=meals,
        reservations=reservations,
    )
    return state, known.closed


def history_of(histories: Histories, row: Any) -> RecordHistory[Any]:
    """The history of the record of `row` among `histories` (its provider's, its key)."""
    return next(
        h
        for h in histories
        if h.key.record_id == row.provider_record_id and h.key.provider_id == row.provider_id
    )


async def correct(
    session: AsyncSession,
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
    read, the new history and the updated row; None when the write found the ledger or
    the registry changed since the read (nothing written: take the locked path), or when
    the session is bound to one connection (no connection of its own to take).

    `amended`: the new times of a presence or the new day of a meal (both that day), the
    window the ledger is read in with the record's own; (None, None) for a void. Refusals
    are raised as domain errors (`UnknownRecord` for a record not the provider's).

    On a pooled connection of its own in autocommit, as `one_statement`, and on it alone
    (the registry's reads too when not cached, `registry_of`): the request's session is
    left untouched for the locked path."""
    engine = session.bind
    if not isinstance(engine, AsyncEngine):  # (a session on one connection: no other)
        return None
    async with engine.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        params = {"id": record_id, "a_lo": amended[0], "a_hi": amended[1]}
        found = (await alone.execute(_READS[kind], params)).first()
        read = _read(kind, record_id, found) if found is not None else None
        if read is None or read.row.provider_id != provider_id:
            raise UnknownRecord(kind.name, record_id)
        row = read.row
        # The registry from the cache when current, else read on this connection (never a
        # second one: waiting for it while holding this one could exhaust the pool).
        state, closed = await correction_state(
            AsyncSession(bind=alone), provider_id, row.child_id, read.presences, read.meals,
            [], read.registry,
        )  # fmt: skip
        history = history_of(read.presences if kind is PRESENCE else read.meals, row)
        new, event = decide(history, state, closed)
        envelope = to_envelope(event, source=source, entity_id=record_id)
        write = save_params(kind, row, new.current, envelope)
        write.update({f"c_{k}": v for k, v in read.checked.items()})
        write["c_lock"] = f"att:{provider_id}"
        statement = save_statement(kind, outbox, row.version == 1, checked=True)
        updated = (await alone.execute(statement, write)).first()
    return None if updated is None else (row, new, updated)
