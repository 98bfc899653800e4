"""A commit the database does not make, for tests of what a service answers then.

``failing_commits(engine)`` makes every transaction's COMMIT on that engine fail as a lost
connection does (``OperationalError``, before the driver commits, so the transaction is
rolled back and nothing of it is stored), until the block ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine


class CommitRefused(Exception):
    """The driver-level cause of the injected failure."""


@contextmanager
def failing_commits(engine: AsyncEngine) -> Iterator[list[str]]:
    """Yields the list of refused commits (one entry each), to show the failure was hit."""
    refused: list[str] = []

    def refuse(_connection: Any) -> None:
        refused.append("COMMIT")
        raise OperationalError("COMMIT", None, CommitRefused("connection lost during COMMIT"))

    event.listen(engine.sync_engine, "commit", refuse)
    try:
        yield refused
    finally:
        event.remove(engine.sync_engine, "commit", refuse)
