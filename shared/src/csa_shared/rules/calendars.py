"""Reference calendars: Luxembourg public holidays and school holidays (csa-rules.md §5)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from csa_shared.rules.errors import RuleDataError, RuleInputError


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@dataclass(frozen=True, slots=True)
class FixedHoliday:
    month: int
    day: int
    name: str
    from_year: int = 1


@dataclass(frozen=True, slots=True)
class SchoolHolidayPeriod:
    """A school-holiday period, both ends inclusive."""

    name: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class SchoolYear:
    """The school holidays of one school year and the span of days the file speaks for."""

    school_year: str
    source: str
    covers_start: date
    covers_end: date
    periods: tuple[SchoolHolidayPeriod, ...]


def _date(raw: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise RuleDataError(where, f"not an ISO date: {raw!r}") from None


def _document(text: str, source: str, kind: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleDataError(source, f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise RuleDataError(source, f"expected a document of kind {kind!r}")
    if not isinstance(doc.get("source"), str) or not doc["source"].strip():
        raise RuleDataError(source, "the calendar file must name its `source`")
    return doc


def load_school_year(text: str, *, source: str = "school calendar") -> SchoolYear:
    """Parse and validate one school year's holiday periods."""
    doc = _document(text, source, "school_holidays")
    covers = doc.get("covers") or {}
    start = _date(covers.get("start"), f"{source}: covers.start")
    end = _date(covers.get("end"), f"{source}: covers.end")
    if end < start:
        raise RuleDataError(source, "covers.end is before covers.start")
    periods = []
    for i, raw in enumerate(doc.get("periods") or []):
        where = f"{source}: periods[{i}]"
        period = SchoolHolidayPeriod(
            str(raw.get("name", "")), _date(raw.get("start"), where), _date(raw.get("end"), where)
        )
        if not period.name or period.end < period.start:
            raise RuleDataError(where, "needs a name and an end on or after its start")
        if period.start < start or period.end > end:
            raise RuleDataError(where, f"{period.name} lies outside the covered span")
        periods.append(period)
    periods.sort(key=lambda p: p.start)
    for before, after in itertools.pairwise(periods):
        if after.start <= before.end:
            raise RuleDataError(source, f"periods {before.name} and {after.name} overlap")
    return SchoolYear(str(doc.get("school_year", "")), doc["source"], start, end, tuple(periods))


def load_public_holiday_rules(text: str, *, source: str = "public holidays") -> PublicHolidays:
    """Parse and validate the public-holiday rules (fixed dates and Easter offsets)."""
    doc = _document(text, source, "public_holidays")
    fixed = []
    for i, raw in enumerate(doc.get("fixed") or []):
        try:
            month, day = (int(x) for x in str(raw["date"]).split("-"))
            date(2000, month, day)
        except (KeyError, ValueError):
            raise RuleDataError(f"{source}: fixed[{i}]", "date must be MM-DD") from None
        fixed.append(
            FixedHoliday(month, day, str(raw.get("name", "")), int(raw.get("from_year", 1)))
        )
    offsets = []
    for i, raw in enumerate(doc.get("easter_offsets") or []):
        if not isinstance(raw.get("offset"), int):
            raise RuleDataError(f"{source}: easter_offsets[{i}]", "offset must be an integer")
        offsets.append((int(raw["offset"]), str(raw.get("name", ""))))
    return PublicHolidays(doc["source"], tuple(fixed), tuple(offsets))


@dataclass(frozen=True, slots=True)
class PublicHolidays:
    """Legal public holidays: fixed dates plus days computed from Easter."""

    source: str
    fixed: tuple[FixedHoliday, ...]
    easter_offsets: tuple[tuple[int, str], ...]

    def of_year(self, year: int) -> dict[date, str]:
        """All public holidays of a year, by date."""
        easter = easter_sunday(year)
        days = {date(year, f.month, f.day): f.name for f in self.fixed if year >= f.from_year}
        days.update({easter + timedelta(days=n): name for n, name in self.easter_offsets})
        return days


class ReferenceCalendar:
    """Public holidays and school-holiday periods, answering day and week questions (§5)."""

    def __init__(self, public_holidays: PublicHolidays, school_years: Iterable[SchoolYear]) -> None:
        self.public_holidays = public_holidays
        self.school_years = tuple(sorted(school_years, key=lambda y: y.covers_start))
        self._by_year: dict[int, dict[date, str]] = {}

    def public_holidays_of(self, year: int) -> dict[date, str]:
        """Public holidays of a calendar year."""
        if year not in self._by_year:
            self._by_year[year] = self.public_holidays.of_year(year)
        return self._by_year[year]

    def is_public_holiday(self, day: date) -> bool:
        """Whether `day` is a legal public holiday."""
        return day in self.public_holidays_of(day.year)

    def is_school_holiday(self, day: date) -> bool:
        """Whether `day` lies in a school-holiday period; days no shipped year covers are errors."""
        for year in self.school_years:
            if year.covers_start <= day <= year.covers_end:
                return any(p.start <= day <= p.end for p in year.periods)
        raise RuleInputError("week_start", f"no school calendar covers {day}")

    def is_school_day(self, day: date) -> bool:
        """Monday-Friday that is neither a school holiday nor a public holiday (§5)."""
        return day.weekday() < 5 and not (
            self.is_school_holiday(day) or self.is_public_holiday(day)
        )

    def is_holiday_week(self, monday: date) -> bool:
        """Whether Monday-Friday are all school-holiday days or public holidays (§5)."""
        if monday.weekday() != 0:
            raise RuleInputError("week_start", f"{monday} is not a Monday")
        days = [monday + timedelta(days=i) for i in range(5)]
        return all(self.is_school_holiday(d) or self.is_public_holiday(d) for d in days)


def _read(name: str) -> str:
    return resources.files("csa_shared.rules").joinpath(f"data/calendars/{name}").read_text("utf-8")


@cache
def shipped_calendar() -> ReferenceCalendar:
    """The calendar shipped in `data/calendars/` (public holidays + the school years shipped)."""
    folder = resources.files("csa_shared.rules").joinpath("data/calendars")
    names = sorted(p.name for p in folder.iterdir() if p.name.startswith("school_"))
    years = [load_school_year(_read(n), source=n) for n in names]
    holidays = load_public_holiday_rules(_read("public_holidays.yaml"), source="public_holidays")
    return ReferenceCalendar(holidays, years)
