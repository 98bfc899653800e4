"""A lease on a piece of work that outlives a request: held by the process doing it, lost
when that process dies, so another process can take the work over.

On PostgreSQL the lease is a session-level advisory lock on a connection of its own, idle
(outside any transaction) while the work runs: the server releases it when the holder's
connection ends (the pod died, was killed, or restarted), and nothing else. With SQLite (one
process) the lease is a name held in this process.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from csa_shared.db.engine import is_postgres

_HELD_HERE: set[tuple[str, str]] = set()


@contextlib.asynccontextmanager
async def lease(engine: AsyncEngine, name: str) -> AsyncIterator[bool]:
    """Take the lease `name` if nobody holds it; yields whether it was taken (the work is
    then this process's until the block ends)."""
    if not is_postgres(engine):
        key = (str(engine.url), name)
        if key in _HELD_HERE:
            yield False
            return
        _HELD_HERE.add(key)
        try:
            yield True
        finally:
            _HELD_HERE.discard(key)
        return
    async with engine.connect() as connection:
        taken = bool(
            await connection.scalar(text("SELECT pg_try_advisory_lock(hashtext(:n))"), {"n": name})
        )
        await connection.commit()  # held by the session, not by a transaction left open
        try:
            yield taken
        finally:
            if taken:
                # A connection lost meanwhile took the lock with it.
                with contextlib.suppress(DBAPIError, OSError):
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": name}
                    )
                    await connection.commit()
