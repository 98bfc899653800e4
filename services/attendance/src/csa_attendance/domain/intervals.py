"""Time intervals of care, counted to the minute (csa-rules.md preamble, §10).

Times are naive local Luxembourg datetimes. An interval is half-open `[start, end)`:
08:00–12:00 and 12:00–13:00 touch but do not overlap.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

MINUTE = timedelta(minutes=1)
MINUTES_PER_DAY = 24 * 60


class Interval(NamedTuple):
    """A half-open span `[start, end)` of local time; `end > start` is the caller's duty.

    A named tuple (immutable, ordered by start then end): built for every declaration a
    batch decides, and a tuple is about twice as cheap to build as a frozen dataclass.
    """

    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        """Length in whole minutes (seconds are dropped)."""
        length = self.end - self.start
        # `length // MINUTE`, in integers: a timedelta's division is several times slower.
        return length.days * MINUTES_PER_DAY + length.seconds // 60

    def overlaps(self, other: Interval) -> bool:
        """True when the two spans share at least one instant (touching is not overlapping)."""
        return self.start < other.end and other.start < self.end

    def days(self) -> list[date]:
        """Calendar days this interval touches (an end at midnight does not touch the next)."""
        first, last = self.start.date(), (self.end - MINUTE).date()
        if first == last:  # the common case: within one day
            return [first]
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
