"""An AP service sheet's day as times of care (csa-rules.md §10).

A sheet gives, per day, hours and no times: the hours inside the day band (07:00-19:00) and
the hours outside it. To classify them as presences are classified (the AP night, weekend
and public-holiday supplement, §4), the in-band hours are laid from 07:00 and the other
hours from 19:00 to midnight, then from 00:00 of the same day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

BAND_START = timedelta(hours=7)  # 07:00
BAND_END = timedelta(hours=19)  # 19:00
BAND_MINUTES = 12 * 60
EVENING_MINUTES = 5 * 60  # 19:00 to midnight

#: A stretch of care laid on the day: (start, end).
Span = tuple[datetime, datetime]


def sheet_minutes(hours: Decimal) -> int:
    """A sheet's hours as whole minutes (a part of a minute is dropped)."""
    return int(hours * 60)


def lay_out_sheet_day(day: date, in_band: Decimal, out_of_band: Decimal) -> list[Span]:
    """The day's care as times, in chronological order (§10): `in_band` hours from 07:00,
    `out_of_band` hours from 19:00 to midnight, then from 00:00 of the same day.

    A day of the sheets submitted before the band was split may hold more than 12 in-band
    hours (they were laid from 07:00 on, past 19:00): the hours beyond 12 are out of band,
    as they were billed then."""
    inside = sheet_minutes(in_band)
    outside = sheet_minutes(out_of_band)
    if inside > BAND_MINUTES:
        inside, outside = BAND_MINUTES, outside + inside - BAND_MINUTES
    midnight = datetime.combine(day, datetime.min.time())
    spans: list[Span] = []
    evening = min(outside, EVENING_MINUTES)
    early = outside - evening
    if early > 0:
        spans.append((midnight, midnight + timedelta(minutes=early)))
    if inside > 0:
        start = midnight + BAND_START
        spans.append((start, start + timedelta(minutes=inside)))
    if evening > 0:
        start = midnight + BAND_END
        spans.append((start, start + timedelta(minutes=evening)))
    return spans
