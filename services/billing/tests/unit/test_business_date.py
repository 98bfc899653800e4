"""Billing takes Luxembourg's date, not UTC's: at 23:30 UTC in April (CEST, UTC+2) it is
already 01:30 the next day in Luxembourg."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from csa_billing.cli import previous_month
from csa_billing.periods.close import CloseOptions, check_closable
from csa_shared.errors import Conflict

# 2025-03 ends Sunday 2025-04-06; with 5 grace days it can be closed from 2025-04-12.
LAST_GRACE_DAY_2330_UTC = datetime(2025, 4, 11, 23, 30, tzinfo=UTC)  # 2025-04-12 01:30 in LU
LAST_GRACE_DAY_2130_UTC = datetime(2025, 4, 11, 21, 30, tzinfo=UTC)  # 2025-04-11 23:30 in LU


@pytest.fixture(autouse=True)
def _default_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BILLING_CLOSE_GRACE_DAYS", raising=False)


def test_close_allowed_at_23_30_utc_when_luxembourg_is_already_on_the_first_closable_day() -> None:
    with time_machine.travel(LAST_GRACE_DAY_2330_UTC, tick=False):
        assert check_closable("2025-03", CloseOptions()).month == "2025-03"


def test_close_refused_at_21_30_utc_while_luxembourg_is_still_in_the_grace_period() -> None:
    with time_machine.travel(LAST_GRACE_DAY_2130_UTC, tick=False), pytest.raises(Conflict) as err:
        check_closable("2025-03", CloseOptions())
    assert "can be closed from 2025-04-12" in str(err.value)


def test_previous_month_of_the_cronjob_is_luxembourgs_at_23_30_utc_on_the_periods_last_sunday() -> (
    None
):
    """Sunday 2025-04-06 23:30 UTC is Monday 2025-04-07 01:30 in Luxembourg: 2025-04 has
    begun, so the period that last ended is 2025-03 (in UTC it would still be 2025-02)."""
    with time_machine.travel(datetime(2025, 4, 6, 23, 30, tzinfo=UTC), tick=False):
        assert previous_month() == "2025-03"
