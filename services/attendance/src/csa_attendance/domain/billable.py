"""Billable care per day under a contract's billing mode (seed 004 §4.1, csa-rules.md §10).

An SEA bills "on the child's actual presence and/or on pre-registered slots, as the manager
decides"; the education contract fixes the mode:

* `presence`: the day's presence intervals are billed.
* `reservation`: the day's reserved slots are billed, whether the child came or not.
* `greater_of`: per calendar day, the total duration of the presences and that of the
  reservations are compared; the larger wins and **its intervals** are billed (the other set
  is ignored for that day, never merged). On a tie, the presences are billed. Example:
  presence 08:00–12:00 (4 h) and reservation 08:00–13:00 (5 h): the reservation's 5 h.

Intervals are cut at midnight, so a presence 22:00–02:00 counts 2 h on each day. Within a
set, overlapping intervals are merged, so no minute is billed twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from csa_attendance.domain.contracts import BillingMode
from csa_attendance.domain.intervals import Interval, clip_to_day, total_minutes, union


class Source(StrEnum):
    PRESENCE = "presence"
    RESERVATION = "reservation"


@dataclass(frozen=True, slots=True)
class BillableDay:
    """What is billed for one child at one provider on one calendar day."""

    day: date
    source: Source
    intervals: tuple[Interval, ...]
    presence_minutes: int
    reservation_minutes: int

    @property
    def minutes(self) -> int:
        return sum(iv.minutes for iv in self.intervals)


def billable_day(
    day: date,
    *,
    mode: BillingMode,
    presences: Iterable[Interval],
    reservations: Iterable[Interval],
) -> BillableDay:
    """The billable intervals of one day under `mode` (rule in the module docstring)."""
    present = union(clip_to_day(presences, day))
    reserved = union(clip_to_day(reservations, day))
    p_min, r_min = total_minutes(present), total_minutes(reserved)
    if mode is BillingMode.PRESENCE:
        source = Source.PRESENCE
    elif mode is BillingMode.RESERVATION:
        source = Source.RESERVATION
    else:
        source = Source.RESERVATION if r_min > p_min else Source.PRESENCE
    billed = present if source is Source.PRESENCE else reserved
    return BillableDay(day, source, tuple(billed), p_min, r_min)


def billable_days(
    *,
    mode: BillingMode,
    presences: Iterable[Interval],
    reservations: Iterable[Interval],
) -> list[BillableDay]:
    """`billable_day` for every calendar day touched by a presence or a reservation, in order."""
    present, reserved = list(presences), list(reservations)
    days = sorted({d for iv in (*present, *reserved) for d in iv.days()})
    return [billable_day(d, mode=mode, presences=present, reservations=reserved) for d in days]
