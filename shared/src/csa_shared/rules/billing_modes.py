"""Billable care per day under an education contract's billing mode (seed 004 §4.1,
csa-rules.md §10). One rule, used by attendance and by billing's period close.

An SEA bills "on the child's actual presence and/or on pre-registered slots, as the manager
decides"; the education contract fixes the mode:

* `presence`: the day's presence intervals are billed.
* `reservation`: the day's reserved slots are billed, whether the child came or not.
* `greater_of`: per calendar day, the total duration of the presences and that of the
  reservations are compared; the larger wins and **its intervals** are billed (the other set
  is ignored for that day, never merged). On a tie, the presences are billed. Example:
  presence 08:00–12:00 (4 h) and reservation 08:00–13:00 (5 h): the reservation's 5 h.

Intervals are half-open `[start, end)` of naive local time, cut at midnight, so a presence
22:00–02:00 counts 2 h on each day. Within a set, overlapping intervals are merged, so no
minute is billed twice. Any object with `start` and `end` datetimes is accepted as a span.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


class BillingMode(StrEnum):
    """What is billed per day (seed 004 §4.1: "présence effective et/ou plages d'inscription")."""

    PRESENCE = "presence"
    RESERVATION = "reservation"
    GREATER_OF = "greater_of"


class Source(StrEnum):
    PRESENCE = "presence"
    RESERVATION = "reservation"


class Span(Protocol):
    """A half-open span of local time (`end > start` is the caller's duty)."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A merged, billed span of one day."""

    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // MINUTE


@dataclass(frozen=True, slots=True)
class BillableDay:
    """What is billed for one child at one provider on one calendar day."""

    day: date
    source: Source
    intervals: tuple[Slot, ...]
    presence_minutes: int
    reservation_minutes: int

    @property
    def minutes(self) -> int:
        return sum(slot.minutes for slot in self.intervals)


def source_for(mode: BillingMode | str, presence_minutes: int, reservation_minutes: int) -> Source:
    """The set billed on a day: fixed by the mode, or the longer one under `greater_of`
    (a tie bills the presences)."""
    mode = BillingMode(mode)
    if mode is BillingMode.PRESENCE:
        return Source.PRESENCE
    if mode is BillingMode.RESERVATION:
        return Source.RESERVATION
    return Source.RESERVATION if reservation_minutes > presence_minutes else Source.PRESENCE


def days_of(span: Span) -> list[date]:
    """Calendar days a span touches (an end at midnight does not touch the next day)."""
    first, last = span.start.date(), (span.end - MINUTE).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def clip_to_day(spans: Iterable[Span], day: date) -> list[Slot]:
    """The parts of `spans` that fall on calendar day `day`."""
    lo = datetime.combine(day, time.min)
    hi = lo + DAY
    parts = (Slot(max(s.start, lo), min(s.end, hi)) for s in spans)
    return [part for part in parts if part.start < part.end]


def union(slots: Iterable[Slot]) -> list[Slot]:
    """Merge overlapping or touching slots into a sorted, disjoint list."""
    merged: list[Slot] = []
    for slot in sorted(slots):
        if merged and slot.start <= merged[-1].end:
            merged[-1] = Slot(merged[-1].start, max(merged[-1].end, slot.end))
        else:
            merged.append(slot)
    return merged


def billable_day(
    day: date,
    *,
    mode: BillingMode | str,
    presences: Iterable[Span],
    reservations: Iterable[Span],
) -> BillableDay:
    """The billable intervals of one day under `mode` (rule in the module docstring)."""
    present = union(clip_to_day(presences, day))
    reserved = union(clip_to_day(reservations, day))
    p_min = sum(s.minutes for s in present)
    r_min = sum(s.minutes for s in reserved)
    source = source_for(mode, p_min, r_min)
    billed = present if source is Source.PRESENCE else reserved
    return BillableDay(day, source, tuple(billed), p_min, r_min)


def billable_days(
    *,
    mode: BillingMode | str,
    presences: Iterable[Span],
    reservations: Iterable[Span],
) -> list[BillableDay]:
    """`billable_day` for every calendar day touched by a presence or a reservation, in order."""
    present, reserved = list(presences), list(reservations)
    days = sorted({d for span in (*present, *reserved) for d in days_of(span)})
    return [billable_day(d, mode=mode, presences=present, reservations=reserved) for d in days]
