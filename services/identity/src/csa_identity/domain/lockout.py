"""Lockout after repeated failures, counted separately for passwords and for OTPs.

Policy (fixed here, the seed only says attempts are limited): every ``threshold`` (5)
consecutive failures lock the counter, first for 1 minute, then doubling at each further
lockout (2, 4, 8 … minutes) up to 1 hour. A success resets the counter and the doubling.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from csa_identity.domain.instants import require_aware


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    threshold: int = 5
    first_wait: timedelta = timedelta(minutes=1)
    max_wait: timedelta = timedelta(hours=1)

    def wait_for(self, lockouts_so_far: int) -> timedelta:
        """Wait imposed by the next lockout, given how many came before it."""
        if lockouts_so_far >= 32:
            return self.max_wait
        return min(self.first_wait * (1 << lockouts_so_far), self.max_wait)


@dataclass(frozen=True, slots=True)
class FailureCounter:
    failures: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and require_aware(now) < self.locked_until

    def retry_after(self, now: datetime) -> timedelta:
        if self.locked_until is None or not self.is_locked(now):
            return timedelta(0)
        return self.locked_until - now


def record_failure(
    counter: FailureCounter, *, now: datetime, policy: LockoutPolicy
) -> FailureCounter:
    """One more failure; the ``threshold``-th in a row starts a lockout."""
    failures = counter.failures + 1
    if failures < policy.threshold:
        return replace(counter, failures=failures)
    return FailureCounter(
        failures=0,
        lockouts=counter.lockouts + 1,
        locked_until=require_aware(now) + policy.wait_for(counter.lockouts),
    )


def record_success(counter: FailureCounter) -> FailureCounter:
    return FailureCounter()
