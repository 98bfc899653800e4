"""Reference calendars: Luxembourg public holidays and school holidays (csa-rules.md §5)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
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
    file: str = ""


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
    covers = doc.get("covers")
    if not isinstance(covers, dict):
        raise RuleDataError(source, "needs `covers: {start: ..., end: ...}`")
    start = _date(covers.get("start"), f"{source}: covers.start")
    end = _date(covers.get("end"), f"{source}: covers.end")
    if end < start:
        raise RuleDataError(source, "covers.end is before covers.start")
    raw_periods = doc.get("periods") or []
    if not isinstance(raw_periods, list):
        raise RuleDataError(f"{source}: periods", "must be a list of {name, start, end}")
    periods = []
    for i, raw in enumerate(raw_periods):
        where = f"{source}: periods[{i}]"
        if not isinstance(raw, dict):
            raise RuleDataError(where, "must be a mapping {name, start, end}")
        period = SchoolHolidayPeriod(
            str(raw.get("name") or ""), _date(raw.get("start"), where), _date(raw.get("end"), where)
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
    return SchoolYear(
        str(doc.get("school_year") or ""), doc["source"], start, end, tuple(periods), source
    )


def load_public_holiday_rules(text: str, *, source: str = "public holidays") -> PublicHolidays:
    """Parse and validate the public-holiday rules (fixed dates and Easter offsets)."""
    doc = _document(text, source, "public_holidays")
    fixed = []
    for i, raw in enumerate(_list(doc, "fixed", source)):
        try:
            month, day = (int(x) for x in str(raw["date"]).split("-"))
            date(2000, month, day)
            from_year = int(raw.get("from_year", 1))
        except (KeyError, ValueError, TypeError):
            raise RuleDataError(f"{source}: fixed[{i}]", "date must be MM-DD") from None
        fixed.append(FixedHoliday(month, day, str(raw.get("name", "")), from_year))
    offsets = []
    for i, raw in enumerate(_list(doc, "easter_offsets", source)):
        if not isinstance(raw.get("offset"), int):
            raise RuleDataError(f"{source}: easter_offsets[{i}]", "offset must be an integer")
        offsets.append((int(raw["offset"]), str(raw.get("name", ""))))
    return PublicHolidays(doc["source"], tuple(fixed), tuple(offsets), source)


def _list(doc: dict[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    items = doc.get(key) or []
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise RuleDataError(f"{source}: {key}", "must be a list of mappings")
    return items


@dataclass(frozen=True, slots=True)
class PublicHolidays:
    """Legal public holidays: fixed dates plus days computed from Easter."""

    source: str
    fixed: tuple[FixedHoliday, ...]
    easter_offsets: tuple[tuple[int, str], ...]
    file: str = ""

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
        for before, after in itertools.pairwise(self.school_years):
            if after.covers_start <= before.covers_end:
                raise RuleDataError(
                    after.file or after.school_year,
                    f"school year {after.school_year} covers days that school year "
                    f"{before.school_year} ({before.file}) already covers",
                )
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


SHIPPED = "shipped:"
SCHOOL_YEAR_FORMAT = re.compile(r"^(\d{4})-(\d{4})$")
PUBLIC_HOLIDAYS_FILE = "public_holidays.yaml"

CalendarFile = SchoolYear | PublicHolidays


def _read(name: str) -> str:
    return resources.files("csa_shared.rules").joinpath(f"data/calendars/{name}").read_text("utf-8")


def _is_calendar_file(name: str) -> bool:
    return name.endswith(".yaml") and (name == PUBLIC_HOLIDAYS_FILE or name.startswith("school_"))


def _shipped_files() -> dict[str, tuple[str, str]]:
    folder = resources.files("csa_shared.rules").joinpath("data/calendars")
    names = sorted(p.name for p in folder.iterdir() if _is_calendar_file(p.name))
    return {name: (f"{SHIPPED}{name}", _read(name)) for name in names}


def _loaded_files(calendar_dir: Path) -> dict[str, tuple[str, str]]:
    if not calendar_dir.is_dir():
        return {}
    return {
        p.name: (str(p), p.read_text("utf-8"))
        for p in sorted(calendar_dir.iterdir())
        if _is_calendar_file(p.name)
    }


def _combine(files: dict[str, tuple[str, str]]) -> ReferenceCalendar:
    holidays: PublicHolidays | None = None
    years = []
    for name, (source, text) in sorted(files.items()):
        if name == PUBLIC_HOLIDAYS_FILE:
            holidays = load_public_holiday_rules(text, source=source)
        else:
            years.append(load_school_year(text, source=source))
    if holidays is None:
        raise RuleDataError(PUBLIC_HOLIDAYS_FILE, "no public-holiday rules")
    return ReferenceCalendar(holidays, years)


@cache
def shipped_calendar() -> ReferenceCalendar:
    """The calendar shipped in `data/calendars/` (public holidays + the school years shipped)."""
    return _combine(_shipped_files())


@cache
def _calendar_of(calendar_dir: Path) -> ReferenceCalendar:
    return _combine({**_shipped_files(), **_loaded_files(calendar_dir)})


def calendar_with(calendar_dir: Path | None) -> ReferenceCalendar:
    """The shipped calendar plus the files loaded into ``calendar_dir`` (None: shipped only).

    A loaded file replaces the shipped file of the same name (a school year's official
    dates, amended public-holiday rules); two school years may not cover the same day.
    Read once per process and directory; `install_calendar_file` refreshes it.
    """
    return shipped_calendar() if calendar_dir is None else _calendar_of(calendar_dir.resolve())


def configured_calendar() -> ReferenceCalendar:
    """The calendar billing uses: shipped files plus those in ``CSA_CALENDAR_DIR``."""
    from csa_shared.settings import get_settings

    return calendar_with(get_settings().calendar_dir)


def parse_calendar_file(text: str, *, source: str) -> CalendarFile:
    """A calendar data file of either kind, validated as `csa calendar load` installs it.

    A school-year file must also name its school year as ``YYYY-YYYY`` (consecutive years):
    that name gives its file name in the calendar directory.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleDataError(source, f"not valid YAML: {exc}") from None
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if kind == "public_holidays":
        return load_public_holiday_rules(text, source=source)
    if kind != "school_holidays":
        raise RuleDataError(source, "`kind` must be school_holidays or public_holidays")
    year = load_school_year(text, source=source)
    found = SCHOOL_YEAR_FORMAT.match(year.school_year)
    if found is None or int(found[2]) != int(found[1]) + 1:
        raise RuleDataError(
            f"{source}: school_year", "must name two consecutive years, e.g. 2026-2027"
        )
    return year


def installed_name(item: CalendarFile) -> str:
    """The file name a calendar file gets in the calendar directory."""
    if isinstance(item, PublicHolidays):
        return PUBLIC_HOLIDAYS_FILE
    return f"school_{item.school_year.replace('-', '_')}.yaml"


def check_calendar_file(
    text: str, calendar_dir: Path, *, source: str
) -> tuple[CalendarFile, Path, str | None]:
    """Validate a calendar file and check that it fits the calendar in force.

    Returns the parsed file, where it would be installed, and the file it would replace
    (``shipped:<name>`` or a loaded path), if any. The shipped files, the files already
    loaded and this one must make a valid calendar together (no day covered twice).
    """
    item = parse_calendar_file(text, source=source)
    name = installed_name(item)
    files = {**_shipped_files(), **_loaded_files(calendar_dir)}
    replaced = files[name][0] if name in files else None
    _combine({**files, name: (source, text)})
    return item, calendar_dir / name, replaced


def install_calendar_file(
    text: str, calendar_dir: Path, *, source: str
) -> tuple[CalendarFile, Path, str | None]:
    """`check_calendar_file`, then write the file into ``calendar_dir`` (atomically)."""
    item, target, replaced = check_calendar_file(text, calendar_dir, source=source)
    calendar_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_text(text, "utf-8")
    partial.replace(target)
    _calendar_of.cache_clear()
    return item, target, replaced
