"""Classification of a week's attendance into hour classes, in chronological order (§5).

Works on intervals, never minute by minute: each presence is cut only where what a minute
is can change (07:00, 19:00 and midnight, as far as school days, AP off-hours days and the
child's first birthday make them matter: `DayFlags.segments`), and each piece is consumed
against the week's counters (free school-time care, plurilingual free hours, tranches 1-3,
60-hour cap), shared by all providers of the week. When nothing depends on the hour, runs
of presences at one provider are consumed as their total.
"""

from __future__ import annotations

from collections.abc import Sequence
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


#: A stretch of the week in which no minute's classification changes: (end minute,
#: school-time free care, AP off-hours, plurilingual age reached).
Segment = tuple[int, bool, bool, bool]


class DayFlags(NamedTuple):
    """Per day of the week (0 = Monday): school day, off-hours day, plurilingual age reached;
    and the week cut into segments where these flags, 07:00 and 19:00 change what a minute
    is, for each (school-time care applies, an AP is among the providers) at index
    `2 * school_free_care + has_ap` (see `day_flags`)."""

    school_day: tuple[bool, ...]
    off_hours_day: tuple[bool, ...]  # Saturday, Sunday or public holiday
    plurilingual_age: tuple[bool, ...]
    segments: tuple[tuple[Segment, ...], ...]


def day_flags(
    school_day: tuple[bool, ...], off_hours_day: tuple[bool, ...], age: tuple[bool, ...]
) -> DayFlags:
    """Day flags of a week with its segments worked out (once per distinct week)."""
    variants = []
    for school_free_care in (False, True):
        for has_ap in (False, True):
            cut: list[Segment] = []
            for day in range(7):
                for until, daytime in ((DAY_START, False), (DAY_END, True), (1440, False)):
                    flags = (
                        daytime and school_free_care and school_day[day],
                        has_ap and (not daytime or off_hours_day[day]),
                        age[day],
                    )
                    end = day * MINUTES_PER_DAY + until
                    if cut and cut[-1][1:] == flags:
                        cut[-1] = (end, *flags)
                    else:
                        cut.append((end, *flags))
            variants.append(tuple(cut))
    return DayFlags(school_day, off_hours_day, age, tuple(variants))


CLASSES = 6


class Classified:
    """Minutes per (provider index, hour class) at index `provider * CLASSES + class`, AP
    off-hours supported minutes per provider, the presence records behind each (provider,
    class) by the same index, and minutes per class."""

    __slots__ = ("ap_off_hours", "by_class", "minutes", "records")

    def __init__(self, providers: int) -> None:
        self.minutes: list[int] = [0] * (providers * CLASSES)
        self.ap_off_hours: list[int] = [0] * providers
        self.records: dict[int, list[str]] = {}
        self.by_class: tuple[int, ...] = ()  # set by `classify`


def _note(records: dict[int, list[str]], key: int, record: str) -> None:
    ids = records.get(key)
    if ids is None:
        records[key] = [record]
    elif ids[-1] != record:
        ids.append(record)


def classify(
    intervals: list[Interval],
    *,
    counters: WeekCounters,
    days: DayFlags,
    school_free_care: bool,
    plurilingual_providers: Sequence[bool],
    ap_providers: Sequence[bool],
) -> Classified:
    """Classify attendance minutes in chronological order (csa-rules.md §5 steps 1-4).

    `intervals` sorted, not overlapping; provider flags indexed by provider. School-time
    free care: fundamental-education children, school days 07:00-19:00; plurilingual hours
    at plurilingual SEAs on days the child is aged 1 or more; then tranches 1, 2, 3 until
    the supported-hours cap; the rest is unsupported. Supported AP minutes at night, on
    weekends or public holidays also count for the AP supplement (§4)."""
    out = Classified(len(ap_providers))
    minutes, records, ap_off = out.minutes, out.records, out.ap_off_hours
    cap_left, pluri_left, (t1, t2, t3) = counters
    used, ends = 0, (t1, t1 + t2, t1 + t2 + t3)  # tranche minutes used, cumulative ends
    tranche, tranche_end = _tranche_at(0, ends, 0)
    all_tranches = ends[2]
    segments = days.segments[2 * school_free_care + (True in ap_providers)]
    seg_end, school, off, age = segments[0]
    k = 0
    if len(segments) == 1:  # nothing depends on the day or hour: only totals per run count
        intervals = _runs(intervals)
    for start, end, provider, record in intervals:
        pluri_here = plurilingual_providers[provider]
        is_ap = ap_providers[provider]
        base_key = provider * CLASSES
        while start < end:
            while seg_end <= start:
                k += 1
                seg_end, school, off, age = segments[k]
            stop = end if end < seg_end else seg_end
            left = stop - start
            if school:
                got = left if left < cap_left else cap_left
                if got:
                    minutes[base_key] += got
                    if record is not None:
                        _note(records, base_key, record)
                    cap_left -= got
                    left -= got
            elif cap_left:
                if pluri_here and age and pluri_left:
                    got = min(left, pluri_left, cap_left)
                    minutes[base_key + PLURILINGUAL_FREE] += got
                    if record is not None:
                        _note(records, base_key + PLURILINGUAL_FREE, record)
                    pluri_left -= got
                    cap_left -= got
                    left -= got
                # Tranches 1-3 in turn: minutes [used, used + got) of the week's tranche hours.
                got = left if left < cap_left else cap_left
                if got > all_tranches - used:
                    got = all_tranches - used
                if got:
                    cap_left -= got
                    left -= got
                    if used + got <= tranche_end:
                        key = base_key + TRANCHE_1 + tranche
                        minutes[key] += got
                        if record is not None:
                            _note(records, key, record)
                    else:
                        _spread(minutes, records, base_key, record, used, used + got, ends)
                    used += got
                    if used >= tranche_end:
                        tranche, tranche_end = _tranche_at(used, ends, tranche)
            if is_ap and off:
                ap_off[provider] += stop - start - left
            if left:
                minutes[base_key + UNSUPPORTED] += left
                if record is not None:
                    _note(records, base_key + UNSUPPORTED, record)
            start = stop
    out.by_class = _by_class(minutes, len(ap_off))
    return out


def _tranche_at(used: int, ends: tuple[int, int, int], tranche: int) -> tuple[int, int]:
    """The tranche (0-2, from ``tranche`` on) holding the minute after ``used`` tranche
    minutes, and its cumulative end (an empty tranche is skipped)."""
    while tranche < 2 and ends[tranche] <= used:
        tranche += 1
    return tranche, ends[tranche]


def _by_class(minutes: list[int], providers: int) -> tuple[int, ...]:
    """The week's minutes per class, all providers together."""
    if providers == 1:
        return tuple(minutes)
    return tuple([sum(minutes[cls::CLASSES]) for cls in range(CLASSES)])


def _runs(intervals: list[Interval]) -> list[Interval]:
    """When no minute depends on its day or hour, consecutive presences at one provider
    without record ids consume the counters as one run: only their total matters."""
    runs: list[Interval] = []
    run_provider, total = -1, 0
    for start, end, provider, record in intervals:
        if record is None and provider == run_provider:
            total += end - start
            continue
        if run_provider >= 0:
            runs.append((0, total, run_provider, None))
        if record is None:
            run_provider, total = provider, end - start
        else:
            runs.append((start, end, provider, record))
            run_provider = -1
    if run_provider >= 0:
        runs.append((0, total, run_provider, None))
    return runs


def _spread(
    minutes: list[int],
    records: dict[int, list[str]],
    base_key: int,
    record: str | None,
    first: int,
    last: int,
    ends: tuple[int, int, int],
) -> None:
    """Tranche minutes [first, last) of the week across the tranches they fall in."""
    for tranche, tranche_end in enumerate(ends):
        if first < tranche_end:
            stop = tranche_end if tranche_end < last else last
            key = base_key + TRANCHE_1 + tranche
            minutes[key] += stop - first
            if record is not None:
                _note(records, key, record)
            first = stop
            if first >= last:
                return
