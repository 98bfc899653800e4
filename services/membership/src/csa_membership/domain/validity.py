"""Validity of a membership contract in billing periods (csa-rules.md §7, §8, seed 003).

A contract is valid from the start of the billing period in which it is signed and lasts
12 billing periods (3 by exception, with a reason). A renewal continues the day after the old
end; a late renewal re-bills at most the 3 billing periods before the one it is filed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from csa_membership.domain.errors import InvalidDate
from csa_shared.rules.periods import BillingPeriod, billing_period_of

STANDARD_PERIODS = 12
EXCEPTIONAL_PERIODS = 3
MAX_REBILLED_PERIODS = 3


@dataclass(frozen=True)
class Validity:
    """From the first day of the first period to the last day of the last, inclusive."""

    valid_from: date
    valid_until: date
    periods: int
    exception_reason: str | None = None

    def covers(self, day: date) -> bool:
        """True when ``day`` falls within the validity."""
        return self.valid_from <= day <= self.valid_until


def next_period(period: BillingPeriod) -> BillingPeriod:
    """The billing period that follows ``period``."""
    return billing_period_of(period.end + timedelta(days=1))


def periods_between(first: date, last: date) -> tuple[BillingPeriod, ...]:
    """The billing periods from the one containing ``first`` to the one containing ``last``."""
    if last < first:
        return ()
    periods = [billing_period_of(first)]
    while periods[-1].end < last:
        periods.append(next_period(periods[-1]))
    return tuple(periods)


def validity_from(start: date, *, exception_reason: str | None = None) -> Validity:
    """Validity starting with the billing period containing ``start`` (§8).

    12 periods; 3 when an exception reason is given (an empty reason is refused).
    """
    if exception_reason is not None and not exception_reason.strip():
        raise InvalidDate("a 3-period exception needs a reason", code="exception_without_reason")
    count = EXCEPTIONAL_PERIODS if exception_reason is not None else STANDARD_PERIODS
    first = billing_period_of(start)
    last = first
    for _ in range(count - 1):
        last = next_period(last)
    return Validity(first.start, last.end, count, exception_reason)


@dataclass(frozen=True)
class RenewalTerms:
    """The new validity of a renewal and the billing periods billing must re-bill."""

    validity: Validity
    rebill_periods: tuple[BillingPeriod, ...]
    uncovered_periods: tuple[BillingPeriod, ...]


def renewal_validity(
    previous: Validity, *, filed_on: date, exception_reason: str | None = None
) -> RenewalTerms:
    """Validity of a renewal filed on ``filed_on`` (§8).

    On time (filed on or before the old end): starts the day after the old end, no gap.
    Late: the periods between the old end and the filing period are covered retroactively
    for at most the 3 periods before the filing period (they must be re-billed); older gap
    periods stay uncovered (parent paid the full price).
    """
    if filed_on < previous.valid_from:
        raise InvalidDate(
            f"renewal filed {filed_on.isoformat()} before the contract started "
            f"{previous.valid_from.isoformat()}",
            code="renewal_before_start",
        )
    day_after = previous.valid_until + timedelta(days=1)
    filing_period = billing_period_of(filed_on)
    if filed_on < day_after or filing_period.start <= day_after:
        return RenewalTerms(validity_from(day_after, exception_reason=exception_reason), (), ())
    gap = periods_between(day_after, filing_period.start - timedelta(days=1))
    rebill = gap[-MAX_REBILLED_PERIODS:]
    uncovered = gap[: len(gap) - len(rebill)]
    validity = validity_from(rebill[0].start, exception_reason=exception_reason)
    return RenewalTerms(validity, rebill, uncovered)
