"""Statements sent straight on a pooled asyncpg connection, past SQLAlchemy's execution
(issue 24: its CPU per request), each in autocommit (a single statement is its own
transaction, committed when it returns): the one-statement write of a new presence or meal
(`one_statement`), the two statements of a correction (`quick_correction`).

A statement is compiled once (`prepared`); its values go to asyncpg as they are (checked:
no bind processor). When the database refuses a statement, it ran in its own transaction
and stored nothing: it runs again through SQLAlchemy, whose errors the problem handlers
answer. A broken connection is discarded with the pool's others, the answer a 503
(`_lost`). With tracing on, every statement goes through SQLAlchemy, whose execution the
tracing spans. The rows come back as sequences (an asyncpg `Record` or a SQLAlchemy `Row`):
read them by position.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy.exc import InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from csa_shared.db import asyncpg_connection
from csa_shared.observability.tracing import tracing_enabled


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement, and its SQL as the asyncpg driver takes it: PostgreSQL's text, the
    names of its positional parameters in order, the values of those the statement holds
    (`version == 1`: a literal's parameter)."""

    statement: Any
    sql: str
    order: tuple[str, ...]
    fixed: dict[str, Any]

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        given = {**self.fixed, **params} if self.fixed else params
        return [given[k] for k in self.order]


_PREPARED: dict[Hashable, Prepared] = {}


def prepared(engine: AsyncEngine, shape: Hashable, build: Any) -> Prepared:
    """The statement of `shape` (`build()` makes it), built and compiled once (asyncpg then
    reuses its prepared statement on each connection)."""
    found = _PREPARED.get(shape)
    if found is None:
        statement = build()
        compiled = statement.compile(dialect=engine.dialect)
        if compiled._bind_processors:
            raise TypeError(f"{shape}: values to process before asyncpg")
        order = tuple(compiled.positiontup or ())
        fixed = {k: b.value for k, b in compiled.binds.items() if not b.required}
        found = _PREPARED[shape] = Prepared(statement, str(compiled), order, fixed)
    return found


class RawConnection:
    """`async with RawConnection(engine) as raw:` statements on one pooled connection,
    taken at the first (`fetchrow`) and given back at the end or by `release`."""

    __slots__ = ("engine", "pooled")

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.pooled: Any = None

    async def __aenter__(self) -> RawConnection:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.pooled is None:
            return
        if kind is not None and not issubclass(kind, Exception):  # cancelled mid-statement:
            pooled, self.pooled = self.pooled, None  # not handed out again
            await greenlet_spawn(pooled.invalidate)
            return
        await self.release()

    async def release(self) -> None:
        """The connection back to the pool (the next statement takes one again)."""
        if self.pooled is not None:
            pooled, self.pooled = self.pooled, None
            await greenlet_spawn(pooled.close)

    async def fetchrow(
        self, statement: Prepared, params: Mapping[str, Any]
    ) -> Sequence[Any] | None:
        """`statement`'s first row, or None."""
        if tracing_enabled():  # SQLAlchemy's execution, which the tracing spans
            return await through_sqlalchemy(self.engine, statement, params)
        if self.pooled is None:  # no SQLAlchemy `Connection` around it
            self.pooled = await self.engine.raw_connection()
        driver = self.pooled.driver_connection
        args = statement.args(params)  # (a missing value is a bug, not a refusal)
        try:  # outside a transaction: the statement is its own, committed when it returns
            return await driver.fetchrow(statement.sql, *args)  # type: ignore[no-any-return]
        except Exception as exc:
            pooled, self.pooled = self.pooled, None
            if driver.is_closed():
                raise await _lost(self.engine, pooled, statement.sql, exc) from exc
            await greenlet_spawn(pooled.close)  # the database refused it: nothing is stored
            return await through_sqlalchemy(self.engine, statement, params)  # its error, mapped


async def fetchrow_on(
    connection: AsyncConnection, statement: Prepared, params: Mapping[str, Any]
) -> Any:
    """`statement` sent as `RawConnection` sends it (on the asyncpg connection, whose
    statement cache then holds it), in `connection`'s transaction: the pool's warm-up."""
    driver = await asyncpg_connection(connection)
    assert driver is not None  # (warmers run on PostgreSQL only)
    return await driver.fetchrow(statement.sql, *statement.args(params))


async def through_sqlalchemy(
    engine: AsyncEngine, statement: Prepared, params: Mapping[str, Any]
) -> Sequence[Any] | None:
    async with engine.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return (await alone.execute(statement.statement, dict(params))).first()


async def _lost(engine: AsyncEngine, pooled: Any, sql: str, exc: Exception) -> InterfaceError:
    """What SQLAlchemy does when a connection turns out broken: it is discarded, and the
    pool's others with it (a restart or a failover ended them all), so the retry gets a
    new one; the error is a transient one (the problem handlers answer 503)."""
    await greenlet_spawn(pooled.invalidate, exc)
    await engine.dispose()
    return InterfaceError(sql, None, exc, connection_invalidated=True)
