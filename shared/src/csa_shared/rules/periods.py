"""Billing periods: whole weeks from the first Monday of a month (csa-rules.md §7)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from csa_shared.rules.bounds import month_in_range
from csa_shared.rules.errors import RuleInputError

_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    """The billing period of `month` ("YYYY-MM"): Monday `start` to Sunday `end`, inclusive."""

    month: str
    start: date
    end: date
    weeks: int

    @property
    def year_month(self) -> tuple[int, int]:
        """(year, month) of the period."""
        return self.start.year, self.start.month


def first_monday(year: int, month: int) -> date:
    """The first Monday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def billing_period(year: int, month: int) -> BillingPeriod:
    """Billing period of a month: first Monday of M to the Sunday before that of M+1 (§7)."""
    if not 1 <= month <= 12:
        raise RuleInputError("month", f"month must be 1 to 12, got {month}")
    if not 1 <= year <= 9998:
        raise RuleInputError("month", f"year out of range: {year}")
    start = first_monday(year, month)
    next_start = first_monday(year + month // 12, month % 12 + 1)
    return BillingPeriod(
        month=f"{year:04d}-{month:02d}",
        start=start,
        end=next_start - timedelta(days=1),
        weeks=(next_start - start).days // 7,
    )


def parse_month(text: str, *, field: str = "month") -> tuple[int, int]:
    """Read "YYYY-MM" into (year, month), a month of 2000..2100 (``rules.bounds``)."""
    match = _MONTH_TEXT.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise RuleInputError(field, f"expected a month as YYYY-MM, got {text!r}")
    if not month_in_range(text.strip()):
        raise RuleInputError(field, f"a month of 2000-01..2100-12 is expected, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def billing_period_of(day: date) -> BillingPeriod:
    """The billing period that contains `day` (days before the first Monday belong to M-1)."""
    period = billing_period(day.year, day.month)
    if day >= period.start:
        return period
    previous = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return billing_period(*previous)


def billing_periods_between(start: datetime, end: datetime) -> list[BillingPeriod]:
    """The billing periods holding at least one instant of ``[start, end)``, in order: every
    hour belongs to the week, and so the period, in which it falls (a presence running past
    the Sunday midnight that closes a period has hours in the next one)."""
    if end <= start:
        return [billing_period_of(start.date())]
    last = (end - timedelta(microseconds=1)).date()
    periods = [billing_period_of(start.date())]
    while periods[-1].end < last:
        periods.append(billing_period_of(periods[-1].end + timedelta(days=1)))
    return periods


def weeks_of(period: BillingPeriod) -> tuple[date, ...]:
    """The Mondays of the weeks of a billing period, in order."""
    return tuple(period.start + timedelta(weeks=i) for i in range(period.weeks))
