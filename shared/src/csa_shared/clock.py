"""Luxembourg's business date and wall time, the same in every service.

The scheme's days (a record's day, a billing period's grace, a contract's signature) are
Luxembourg's: at 23:30 UTC in winter it is already the next day there. Instants stored or
sent (``created_at``, event times) stay aware UTC; these helpers are for the business date
and the naive local times the domains count in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")


def luxembourg_now() -> datetime:
    """Luxembourg's wall time now, naive (providers declare local times)."""
    return datetime.now(LUXEMBOURG).replace(tzinfo=None)


def luxembourg_today() -> date:
    """Luxembourg's date today: the business date of every service."""
    return datetime.now(LUXEMBOURG).date()


def as_luxembourg(moment: datetime) -> datetime:
    """``moment`` (aware, or naive UTC as SQLite gives it back) as naive Luxembourg time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LUXEMBOURG).replace(tzinfo=None)
