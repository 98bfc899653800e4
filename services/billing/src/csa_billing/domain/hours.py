"""Classification of a week's attendance into hour classes, in chronological order (§5).

Works on intervals, never minute by minute: each presence is cut at midnight, 07:00 and
19:00, and each piece is consumed against the week's counters (free school-time care,
plurilingual free hours, tranches 1-3, 60-hour cap), shared by all providers of the week.
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


class DayFlags(NamedTuple):
    """Per day of the week (0 = Monday): school day, off-hours day, plurilingual age reached."""

    school_day: tuple[bool, ...]
    off_hours_day: tuple[bool, ...]  # Saturday, Sunday or public holiday
    plurilingual_age: tuple[bool, ...]


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
        self.by_class: list[int] = [0] * CLASSES


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

    `intervals` must be sorted and must not overlap; the provider flags are indexed by
    provider. School-time free care applies to fundamental-education children on school days
    07:00-19:00; plurilingual hours at plurilingual SEAs on days the child is aged 1 or more;
    then tranches 1, 2, 3 until the supported-hours cap; the rest is unsupported. Supported
    AP minutes at night (19:00-07:00), on weekends or public holidays are also counted for
    the AP supplement (§4).
    """
    out = Classified(len(ap_providers))
    minutes, records, ap_off = out.minutes, out.records, out.ap_off_hours
    cap_left, pluri_left, tranches = counters
    tranche_left = list(tranches)
    tranche = 0
    school_day, off_day, pluri_age = days
    for start, end, provider, record in intervals:
        pluri_here = plurilingual_providers[provider]
        is_ap = ap_providers[provider]
        base_key = provider * CLASSES
        while start < end:
            day, mod = divmod(start, MINUTES_PER_DAY)
            if mod < DAY_START:
                stop, daytime = start - mod + DAY_START, False
            elif mod < DAY_END:
                stop, daytime = start - mod + DAY_END, True
            else:
                stop, daytime = start - mod + MINUTES_PER_DAY, False
            if stop > end:
                stop = end
            left = stop - start
            if daytime and school_free_care and school_day[day]:
                got = left if left < cap_left else cap_left
                if got:
                    minutes[base_key] += got
                    if record is not None:
                        _note(records, base_key, record)
                    cap_left -= got
                    left -= got
            else:
                if pluri_here and pluri_left and cap_left and pluri_age[day]:
                    got = min(left, pluri_left, cap_left)
                    minutes[base_key + PLURILINGUAL_FREE] += got
                    if record is not None:
                        _note(records, base_key + PLURILINGUAL_FREE, record)
                    pluri_left -= got
                    cap_left -= got
                    left -= got
                while left and cap_left and tranche < 3:
                    got = tranche_left[tranche]
                    if left < got:
                        got = left
                    if cap_left < got:
                        got = cap_left
                    if got:
                        key = base_key + TRANCHE_1 + tranche
                        minutes[key] += got
                        if record is not None:
                            _note(records, key, record)
                        tranche_left[tranche] -= got
                        cap_left -= got
                        left -= got
                    if not tranche_left[tranche]:
                        tranche += 1
            if is_ap and (not daytime or off_day[day]):
                ap_off[provider] += stop - start - left
            if left:
                minutes[base_key + UNSUPPORTED] += left
                if record is not None:
                    _note(records, base_key + UNSUPPORTED, record)
            start = stop
    by_class = out.by_class
    for key, count in enumerate(minutes):
        if count:
            by_class[key % CLASSES] += count
    return out
