"""Making concurrent requests on one row take turns, on PostgreSQL and on SQLite.

Identity's limits and once-only rules (lockout counters, OTP attempts, SMS caps, one letter a
day, refresh-token rotation, one use of a TOTP code, one account per linking code) are
decided by the pure domain from the row's current state; the use case then writes the next
state. Two requests deciding from the same state would both pass, so a use case first locks
the row that carries the rule, and only then reads it:

* PostgreSQL: ``SELECT … FOR UPDATE`` holds the row until commit; a concurrent request waits
  at its own lock and then reads what the first one committed (READ COMMITTED reads with a
  new snapshot per statement).
* SQLite has no row locks and ignores ``FOR UPDATE``; there the lock is an UPDATE that changes
  nothing. A transaction's first write takes the database's write lock, held until commit, so
  the reads after it see every committed write and no other writer runs meanwhile.

Locks are taken in one order — the subject (account, card, session family or agent), then
SMS keys sorted — so two requests never wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: AsyncSession, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both databases."""
    return (postgresql.insert if _is_postgres(session) else sqlite.insert)(table)


async def insert_once(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """Insert the row unless its key exists, also when a concurrent request inserts it at
    the same moment (``ON CONFLICT DO NOTHING`` waits for that one); False when it existed."""
    result = await session.execute(
        _insert(session, table).values(**values).on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def lock_row(session: AsyncSession, key: Column[Any], value: Any) -> bool:
    """Lock the row whose ``key`` is ``value`` until the transaction ends; False if none."""
    if _is_postgres(session):
        found = await session.scalar(select(key).where(key == value).with_for_update())
        return found is not None
    result = await session.execute(update(key.table).where(key == value).values({key.name: key}))
    return bool(result.rowcount)


async def lock_keys(session: AsyncSession, table: Table, keys: Iterable[str]) -> None:
    """Create (if need be) and lock one row per key of ``table`` (a single ``key`` column):
    a lock for something that has no row of its own, such as a phone number. One upsert per
    key, in sorted order, which locks the row on PostgreSQL whether it inserts or updates."""
    for key in sorted(set(keys)):
        statement = _insert(session, table).values(key=key)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.key], set_={"key": statement.excluded.key}
            )
        )
