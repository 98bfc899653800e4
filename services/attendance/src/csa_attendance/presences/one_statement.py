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
from sqlalchemy.exc import InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from csa_shared.observability.tracing import tracing_enabled


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


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A statement, and its SQL as the asyncpg driver takes it: PostgreSQL's text, the
    names of its positional parameters in order."""

    statement: Any
    sql: str
    order: tuple[str, ...]


_STATEMENTS: dict[tuple[Any, ...], _Prepared] = {}


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
) -> _Prepared:
    """The statement of this shape, built and compiled once (asyncpg then reuses its
    prepared statement). The values go to asyncpg as they are: no column of these writes
    has a bind processor on PostgreSQL (checked here)."""
    shape = (clear.function, *((table.name, tuple(row)) for table, row in writes))
    found = _STATEMENTS.get(shape)
    if found is None:
        statement = _statement(writes, clear)
        compiled = statement.compile(dialect=engine.dialect)
        if compiled._bind_processors:
            raise TypeError(f"{shape}: values to process before asyncpg")
        order = tuple(compiled.positiontup or ())
        found = _STATEMENTS[shape] = _Prepared(statement, str(compiled), order)
    return found


async def insert_if_clear(
    engine: AsyncEngine, writes: Sequence[tuple[Table, dict[str, Any]]], clear: Clear | MealClear
) -> bool:
    """Insert one row into each of `writes`' tables when `clear` holds; True when done.

    On a pooled connection of its own in autocommit (no BEGIN, no COMMIT: the statement is
    its transaction), no session needed (the full path opens the request's unit of work
    only when this does not do). The statement goes to the pooled asyncpg connection
    itself, past SQLAlchemy's execution (issue 24: its CPU per request). When the
    database refuses it, it runs again through SQLAlchemy (it failed, so it stored
    nothing), whose errors the problem handlers answer; a broken connection is discarded
    with the pool's others, the answer a 503 (`_lost`). With tracing on, it goes through
    SQLAlchemy, whose execution the tracing spans."""
    params = _params(writes, clear)
    prepared = _cached(engine, writes, clear)
    if tracing_enabled():  # SQLAlchemy's execution, which the tracing spans
        return await _through_sqlalchemy(engine, prepared, params)
    pooled = await engine.raw_connection()  # no SQLAlchemy `Connection` around it
    try:  # outside a transaction: the statement is its own, committed when it returns
        row = await pooled.driver_connection.fetchrow(
            prepared.sql, *(params[k] for k in prepared.order)
        )
    except Exception as exc:
        if pooled.driver_connection.is_closed():
            raise await _lost(engine, pooled, prepared.sql, exc) from exc
        await greenlet_spawn(pooled.close)  # the database refused it: nothing is stored
        return await _through_sqlalchemy(engine, prepared, params)  # its error, mapped
    except BaseException:  # cancelled mid-statement: the connection is not handed out again
        await greenlet_spawn(pooled.invalidate)
        raise
    await greenlet_spawn(pooled.close)
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
    params = _params(writes, clear)
    prepared = _cached(connection.engine, writes, clear)
    pooled = await connection.get_raw_connection()
    found = await pooled.driver_connection.fetchrow(  # type: ignore[union-attr]
        prepared.sql, *(params[k] for k in prepared.order)
    )
    return found is not None


async def _through_sqlalchemy(
    engine: AsyncEngine, prepared: _Prepared, params: dict[str, Any]
) -> bool:
    async with engine.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return (await alone.execute(prepared.statement, params)).first() is not None


async def _lost(engine: AsyncEngine, pooled: Any, sql: str, exc: Exception) -> InterfaceError:
    """What SQLAlchemy does when a connection turns out broken: it is discarded, and the
    pool's others with it (a restart or a failover ended them all), so the retry gets a
    new one; the error is a transient one (the problem handlers answer 503)."""
    await greenlet_spawn(pooled.invalidate, exc)
    await engine.dispose()
    return InterfaceError(sql, None, exc, connection_invalidated=True)
