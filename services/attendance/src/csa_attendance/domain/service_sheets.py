"""AP service sheets (fiche de prestation, seed 004 §4.3; csa-rules.md §10).

For each billing period an assistant parental's agency (Dageselteren) submits, per child,
the effective hours of each day, split into the hours inside the day band 07:00-19:00
(`hours`) and outside it (`out_of_band_hours`, default 0, so that billing pays the AP's
night supplement on them, §4), and the lunches eaten. A new submission replaces the
previous one as a whole (a new version; the history is kept).

Rules: the provider is an AP and the submitter is its agency; the month is "YYYY-MM" and
every day lies in that billing period (§7), once; each of a day's two hour figures is 0..12
(the band and the rest of the day are 12 hours each) with at most two decimals; lunches per
day are 0 or 1 and need hours that day; a day with care must not be after `now` and needs
an education contract with the child on that day (an unknown or foreign child gets
`unknown_child`, as for presences).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from csa_attendance.domain.contracts import EducationContract
from csa_attendance.domain.errors import AttendanceDomainError, Code, Violation
from csa_attendance.domain.events import ServiceSheetDay, ServiceSheetSubmitted
from csa_attendance.domain.providers import Provider
from csa_shared.rules.errors import RuleInputError
from csa_shared.rules.parameters import ProviderType
from csa_shared.rules.periods import billing_period, parse_month

#: The day band (07:00-19:00) and the hours outside it (19:00-07:00) are 12 hours each.
MAX_HOURS_PER_BAND = Decimal(12)
MAX_LUNCHES_PER_DAY = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSheet:
    """One version of a child's service sheet for one billing period at one AP."""

    provider_id: str
    child_id: str
    month: str
    days: tuple[ServiceSheetDay, ...]
    version: int
    submitted_by: str
    submitted_at: datetime

    @property
    def sheet_id(self) -> str:
        return f"{self.provider_id}:{self.child_id}:{self.month}"

    @property
    def total_hours(self) -> Decimal:
        """Every effective hour of the sheet, inside and outside the day band."""
        return sum((d.hours + d.out_of_band_hours for d in self.days), Decimal(0))

    @property
    def total_out_of_band_hours(self) -> Decimal:
        return sum((d.out_of_band_hours for d in self.days), Decimal(0))

    @property
    def total_lunches(self) -> int:
        return sum(d.lunches for d in self.days)


def _check_day(
    i: int, d: ServiceSheetDay, start: date, end: date, now: datetime
) -> list[Violation]:
    field = f"days[{i}]"
    found: list[Violation] = []
    if not start <= d.day <= end:
        found.append(
            Violation(Code.DAY_OUTSIDE_PERIOD, f"{field}.day", f"{d.day} is not in {start}–{end}")
        )
    found += _check_hours(f"{field}.hours", d.hours)
    found += _check_hours(f"{field}.out_of_band_hours", d.out_of_band_hours)
    if not 0 <= d.lunches <= MAX_LUNCHES_PER_DAY:
        found.append(
            Violation(Code.MEAL_COUNT_OUT_OF_RANGE, f"{field}.lunches", "lunches must be 0 or 1")
        )
    elif d.lunches and not _has_care(d):
        found.append(
            Violation(Code.NO_PRESENCE_THAT_DAY, f"{field}.lunches", "a lunch needs care that day")
        )
    if (_has_care(d) or d.lunches) and d.day > now.date():
        found.append(Violation(Code.IN_FUTURE, f"{field}.day", f"{d.day} is in the future"))
    return found


def _check_hours(field: str, hours: Decimal) -> list[Violation]:
    """One of a day's two hour figures: 0 to 12, two decimals at most."""
    exponent = hours.as_tuple().exponent if hours.is_finite() else None
    if exponent is None or (isinstance(exponent, int) and exponent < -2):
        return [Violation(Code.INVALID_VALUE, field, "hours: two decimals at most")]
    if not Decimal(0) <= hours <= MAX_HOURS_PER_BAND:
        return [Violation(Code.HOURS_OUT_OF_RANGE, field, f"hours must be 0 to 12, got {hours}")]
    return []


def _has_care(d: ServiceSheetDay) -> bool:
    return d.hours > 0 or d.out_of_band_hours > 0


def _check_contracts(
    child_id: str,
    provider_id: str,
    days: Iterable[ServiceSheetDay],
    contracts: Iterable[EducationContract],
) -> list[Violation]:
    mine = [c for c in contracts if c.child_id == child_id and c.provider_id == provider_id]
    if not mine:
        return [Violation(Code.UNKNOWN_CHILD, "child_id", "no such child under contract")]
    return [
        Violation(Code.NO_CONTRACT_ON_DATE, f"days[{i}].day", f"no education contract on {d.day}")
        for i, d in enumerate(days)
        if (_has_care(d) or d.lunches) and not any(c.covers(d.day) for c in mine)
    ]


def submit_service_sheet(
    *,
    provider: Provider,
    child_id: str,
    month: str,
    days: Sequence[ServiceSheetDay],
    submitted_by: str,
    contracts: Iterable[EducationContract],
    history: Sequence[ServiceSheet] = (),
    now: datetime,
    closed_months: Collection[str] = (),
) -> tuple[tuple[ServiceSheet, ...], ServiceSheetSubmitted]:
    """Validate a submission and append it as the new version; raises with every reason."""
    if provider.provider_type is not ProviderType.ASSISTANT_PARENTAL:
        raise AttendanceDomainError(
            [Violation(Code.WRONG_PROVIDER_TYPE, "provider_id", "service sheets are for APs")]
        )
    if submitted_by != provider.current.agency_id:
        raise AttendanceDomainError(
            [Violation(Code.NOT_AUTHORISED, "submitted_by", "only the AP's agency submits")]
        )
    try:
        period = billing_period(*parse_month(month))
    except RuleInputError as exc:
        raise AttendanceDomainError([Violation(Code.INVALID_VALUE, "month", exc.detail)]) from None
    found: list[Violation] = []
    seen: set[date] = set()
    for i, d in enumerate(days):
        found += _check_day(i, d, period.start, period.end, now)
        if d.day in seen:
            found.append(Violation(Code.DUPLICATE_DAY, f"days[{i}].day", f"{d.day} given twice"))
        seen.add(d.day)
    found += _check_contracts(child_id, provider.provider_id, days, contracts)
    if found:
        raise AttendanceDomainError(found)
    sheet = ServiceSheet(
        provider_id=provider.provider_id,
        child_id=child_id,
        month=period.month,
        days=tuple(sorted(days, key=lambda d: d.day)),
        version=len(history) + 1,
        submitted_by=submitted_by,
        submitted_at=now,
    )
    return (*history, sheet), ServiceSheetSubmitted(
        record_id=sheet.sheet_id,
        provider_id=sheet.provider_id,
        child_id=child_id,
        version=sheet.version,
        affects_closed_period=period.month in closed_months,
        month=sheet.month,
        days=sheet.days,
        total_hours=sheet.total_hours,
        total_lunches=sheet.total_lunches,
        submitted_by=submitted_by,
    )
