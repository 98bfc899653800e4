"""SMS sending limits, per account and per number (csa-rules.md §9: OTP by SMS).

Sliding windows fixed here: at most 3 SMS in any 10 minutes and 10 in any 24 hours, checked
both for the account and for the destination number (so one number cannot be flooded
through many accounts). Pure: the caller passes the instants of earlier sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from csa_identity.domain.errors import SmsRateLimited
from csa_identity.domain.instants import require_aware


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    length: timedelta


DEFAULT_WINDOWS = (Window(3, timedelta(minutes=10)), Window(10, timedelta(days=1)))


def wait_before_next_send(
    sent_at: Iterable[datetime], *, now: datetime, windows: tuple[Window, ...] = DEFAULT_WINDOWS
) -> timedelta:
    """Zero when one more SMS fits in every window, else how long until it does."""
    require_aware(now)
    history = sorted(sent_at)
    wait = timedelta(0)
    for window in windows:
        recent = [t for t in history if now - t < window.length]
        if len(recent) >= window.limit:
            oldest_that_blocks = recent[len(recent) - window.limit]
            wait = max(wait, oldest_that_blocks + window.length - now)
    return wait


def ensure_sms_allowed(
    *,
    account_sends: Iterable[datetime],
    number_sends: Iterable[datetime],
    now: datetime,
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
) -> None:
    """Raise ``SmsRateLimited`` unless both the account and the number may get one more SMS."""
    wait = max(
        wait_before_next_send(account_sends, now=now, windows=windows),
        wait_before_next_send(number_sends, now=now, windows=windows),
    )
    if wait > timedelta(0):
        raise SmsRateLimited(wait)


@dataclass(frozen=True, slots=True)
class SmsHistory:
    """Instants of earlier SMS for the account (or, before it exists, the IAM code) and for
    the destination number, as loaded by the caller for the longest window."""

    account_sends: tuple[datetime, ...] = ()
    number_sends: tuple[datetime, ...] = ()

    def ensure_allowed(
        self, *, now: datetime, windows: tuple[Window, ...] = DEFAULT_WINDOWS
    ) -> None:
        ensure_sms_allowed(
            account_sends=self.account_sends,
            number_sends=self.number_sends,
            now=now,
            windows=windows,
        )
