"""Which billing periods a declaration or correction touches (csa-rules.md §7, §10).

A closed period is immutable; a late declaration or a correction that touches one is
flagged `affects_closed_period` so billing re-bills it in the next open period.
Closed periods are given as their months, "YYYY-MM" (`BillingPeriod.month`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from functools import lru_cache

from csa_shared.rules.periods import billing_period_of


@lru_cache(maxsize=4096)
def _month_of(day: date) -> str:
    month: str = billing_period_of(day).month
    return month


def periods_touched(days: Iterable[date]) -> set[str]:
    """Months ("YYYY-MM") of the billing periods containing any of `days`."""
    return {_month_of(day) for day in days}


def touches_closed_period(days: Iterable[date], closed_months: Collection[str]) -> bool:
    """True when any of `days` lies in a closed billing period."""
    if not closed_months:
        return False
    return not periods_touched(days).isdisjoint(closed_months)


def closed_period_on_or_after(day: date, closed_months: Collection[str]) -> bool:
    """True when a change effective from `day` onward reaches into a closed period.

    Used for open-ended changes (provider terms, contract start/end): every period from the
    one containing `day` onward is affected.
    """
    first = billing_period_of(day).month
    return any(month >= first for month in closed_months)
