"""Classification of a week's attendance into hour classes, in chronological order (§5).

Works on intervals, never minute by minute: each presence is cut at midnight, 07:00 and
19:00, and each piece is consumed against the week's counters (free school-time care,
plurilingual free hours, tranches 1-3, 60-hour cap), shared by all providers of the week.
"""

from __future__ import annotations

from typing import NamedTuple

SCHOOL_FREE, PLURILINGUAL_FREE, TRANCHE_1, TRANCHE_2, TRANCHE_3, UNSUPPORTED = range(6)
MINUTES_PER_DAY = 1440
DAY_START = 7 * 60  # 07:00
DAY_END = 19 * 60  # 19:00


#: A presence as (start, end, provider index, record id), minutes from Monday 00:00.
Interval = tuple[int, int, int, str | None]


class WeekCounters(NamedTuple):
    """The limits of one week: minutes of each kind of support available (§5)."""

    supported_minutes: int
    plurilingual_minutes: int
    tranche_minutes: tuple[int, int, int]


class DayFlags(NamedTuple):
    """Per day of the week (0 = Monday): school day, off-hours day, plurilingual age reached."""

    school_day: tuple[bool, ...]
    off_hours_day: tuple[bool, ...]  # Saturday, Sunday or public holiday
    plurilingual_age: tuple[bool, ...]


class Classified:
    """Minutes per (provider index, hour class), AP off-hours supported minutes per provider,
    the presence records behind each (provider, class), and minutes per class."""

    __slots__ = ("ap_off_hours", "by_class", "minutes", "records")

    def __init__(self) -> None:
        self.minutes: dict[tuple[int, int], int] = {}
        self.ap_off_hours: dict[int, int] = {}
        self.records: dict[tuple[int, int], list[str]] = {}
        self.by_class: list[int] = [0] * 6


def classify(
    intervals: list[Interval],
    *,
    counters: WeekCounters,
    days: DayFlags,
    school_free_care: bool,
    plurilingual_providers: set[int] | frozenset[int],
    ap_providers: set[int] | frozenset[int],
) -> Classified:
    """Classify attendance minutes in chronological order (csa-rules.md §5 steps 1-4).

    `intervals` must be sorted and must not overlap. School-time free care applies to
    fundamental-education children on school days 07:00-19:00; plurilingual hours at
    plurilingual SEAs on days the child is aged 1 or more; then tranches 1, 2, 3 until the
    supported-hours cap; the rest is unsupported. Supported AP minutes at night (19:00-07:00),
    on weekends or public holidays are also counted for the AP supplement (§4).
    """
    out = Classified()
    minutes, records, by_class, ap_off = out.minutes, out.records, out.by_class, out.ap_off_hours
    cap_left = counters.supported_minutes
    pluri_left = counters.plurilingual_minutes
    tranche_left = list(counters.tranche_minutes)
    tranche = 0
    school_day, off_day, pluri_age = days.school_day, days.off_hours_day, days.plurilingual_age

    pieces: list[tuple[int, int, int, str | None]] = []
    piece = pieces.append
    for start, end, provider, record in intervals:
        pluri_here = provider in plurilingual_providers
        is_ap = provider in ap_providers
        while start < end:
            day, mod = divmod(start, MINUTES_PER_DAY)
            base = start - mod
            if mod < DAY_START:
                stop, daytime = base + DAY_START, False
            elif mod < DAY_END:
                stop, daytime = base + DAY_END, True
            else:
                stop, daytime = base + MINUTES_PER_DAY, False
            if stop > end:
                stop = end
            left = stop - start
            if school_free_care and daytime and school_day[day]:
                got = left if left < cap_left else cap_left
                if got:
                    piece((provider, SCHOOL_FREE, got, record))
                    cap_left -= got
                    left -= got
            else:
                if pluri_here and pluri_left and cap_left and pluri_age[day]:
                    got = min(left, pluri_left, cap_left)
                    piece((provider, PLURILINGUAL_FREE, got, record))
                    pluri_left -= got
                    cap_left -= got
                    left -= got
                while left and cap_left and tranche < 3:
                    got = min(left, tranche_left[tranche], cap_left)
                    if got:
                        piece((provider, TRANCHE_1 + tranche, got, record))
                        tranche_left[tranche] -= got
                        cap_left -= got
                        left -= got
                    if not tranche_left[tranche]:
                        tranche += 1
            if is_ap and (off_day[day] or not daytime):
                supported = stop - start - left
                if supported:
                    ap_off[provider] = ap_off.get(provider, 0) + supported
            if left:
                piece((provider, UNSUPPORTED, left, record))
            start = stop
    for provider, cls, count, record in pieces:
        key = (provider, cls)
        minutes[key] = minutes.get(key, 0) + count
        by_class[cls] += count
        if record is not None:
            ids = records.setdefault(key, [])
            if not ids or ids[-1] != record:
                ids.append(record)
    return out
