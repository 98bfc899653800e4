"""Naive local Luxembourg time, as the domain counts (providers declare local times)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")


def local_now() -> datetime:
    return datetime.now(LUXEMBOURG).replace(tzinfo=None)


def as_local(moment: datetime) -> datetime:
    """`moment` (aware, or naive UTC as SQLite gives it back) as naive local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LUXEMBOURG).replace(tzinfo=None)
