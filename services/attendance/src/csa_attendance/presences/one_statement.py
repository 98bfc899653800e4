"""A single presence or meal stored in one round trip (PostgreSQL): the check and the writes
as one statement, its own transaction, committed before the answer.

The caller decided the record against the cached registry and an assumed ledger: for a
presence, empty (no record of the key, no presence of the child in the window); for a
meal, one presence of the child at the provider that day and no meal. The statement takes
the provider's ingest lock, then checks what the decision relied on
(`attendance_presence_clear` / `attendance_meal_clear`, migration 0010: the registry still
at the cached version, the ledger as assumed), and only then inserts the record and its
outbox row (`INSERT ... SELECT ... WHERE clear`). When the check fails nothing is written and the
caller decides again the usual way (`service.ingest`'s full path), which reads everything.

The statement is built once per shape and runs on a connection in autocommit: no
BEGIN/COMMIT round trips around it (a single statement is its own transaction, committed
when it returns, before the answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from csa_attendance.presences import raw


@dataclass(frozen=True, slots=True)
class _Check:
    registry_version: int
    provider_id: str
    record_id: str
    child_id: str

    def _common(self) -> dict[str, Any]:
        return {
            "c_lock": f"att:{self.provider_id}",
            "c_registry": self.registry_version,
            "c_provider": self.provider_id,
            "c_record": self.record_id,
            "c_child": self.child_id,
        }


@dataclass(frozen=True, slots=True)
class Clear(_Check):
    """What `attendance_presence_clear` checks under the provider's lock: the registry at
    the cached version, no record under the key, no presence of the child in the window."""

    lo: datetime
    hi: datetime

    function = "attendance_presence_clear"

    def params(self) -> dict[str, Any]:
        return {**self._common(), "c_lo": self.lo, "c_hi": self.hi}


@dataclass(frozen=True, slots=True)
class MealClear(_Check):
    """What `attendance_meal_clear` checks under the provider's lock: the registry at the
    cached version, no meal under the key nor of the child at the provider that day, and
    an active presence of the child at the provider starting that day (the meal was
    decided against such a presence and no other meal)."""

    day: date

    function = "attendance_meal_clear"

    def params(self) -> dict[str, Any]:
        start = datetime.combine(self.day, time())
        return {
            **self._common(),
            "c_day": self.day,
            "c_from": start,
            "c_to": start + timedelta(days=1),
        }


def _statement(writes: Sequence[tuple[Table, dict[str, Any]]], clear: Clear | MealClear) -> Any:
    """`WITH ok AS (SELECT clear(...)), w0 AS (INSERT ... SELECT ... WHERE ok) INSERT ...
    SELECT ... WHERE ok RETURNING 1`: a row back when the writes were made."""
    check = getattr(func, clear.function)(*(bindparam(name) for name in clear.params()))
    ok = select(check.label("free")).cte("ok")
    guard = select(ok.c.free).scalar_subquery()
    inserts = []
    for n, (table, row) in enumerate(writes):
        values = select(
            *(bindparam(f"w{n}_{c}", type_=table.c[c].type).label(c) for c in row)
        ).where(guard)
        inserts.append(insert(table).from_select(list(row), values))
    *first, last = inserts
    statement = last.returning(last.table.c[next(iter(last.table.primary_key)).name])
    return statement.add_cte(ok, *(w.cte(f"w{n}") for n, w in enumerate(first)))


def _cached(
    engine: AsyncEngine, writes: Sequence[tuple[Table, dict[str, Any]]], clear: Clear | MealClear
) -> raw.Prepared:
    """The statement of this shape, built and compiled once (`raw.prepared`)."""
    shape = (clear.function, *((table.name, tuple(row)) for table, row in writes))
    return raw.prepared(engine, shape, lambda: _statement(writes, clear))


async def insert_if_clear(
    engine: AsyncEngine, writes: Sequence[tuple[Table, dict[str, Any]]], clear: Clear | MealClear
) -> bool:
    """Insert one row into each of `writes`' tables when `clear` holds; True when done.

    On a pooled connection of its own in autocommit (no BEGIN, no COMMIT: the statement is
    its transaction), no session needed (the full path opens the request's unit of work
    only when this does not do). The statement goes to the pooled asyncpg connection
    itself, past SQLAlchemy's execution (`raw.RawConnection`, issue 24: its CPU per
    request; a refusal runs again through SQLAlchemy for its mapped error, a broken
    connection answers 503)."""
    async with raw.RawConnection(engine) as connection:
        row = await connection.fetchrow(_cached(engine, writes, clear), _params(writes, clear))
    return row is not None


def _params(
    writes: Sequence[tuple[Table, dict[str, Any]]], clear: Clear | MealClear
) -> dict[str, Any]:
    params = clear.params()
    for n, (_, row) in enumerate(writes):
        params.update({f"w{n}_{c}": v for c, v in row.items()})
    return params


async def execute_if_clear(
    connection: AsyncConnection,
    writes: Sequence[tuple[Table, dict[str, Any]]],
    clear: Clear | MealClear,
) -> bool:
    """The statement of `insert_if_clear` sent as it sends it (on the asyncpg connection,
    whose statement cache then holds it), in `connection`'s transaction: the pool's
    warm-up (`service.warm`), which rolls back."""
    prepared = _cached(connection.engine, writes, clear)
    return await raw.fetchrow_on(connection, prepared, _params(writes, clear)) is not None
