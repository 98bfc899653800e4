"""The range of values the platform accepts at all (issue 19 §4).

Beyond these, an input is absurd rather than merely unusual: a date in year 1 or 9999, an
amount of 10^26 €. They are refused at the edge (``csa_shared.http.bounds`` builds the API
types on them) and by the validators that do not go through those types (attendance's
batch ingest), so no computation ever meets a date the calendar cannot step past or an
amount no column can hold.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
EARLIEST_INSTANT = datetime.combine(EARLIEST_DAY, time())
#: exclusive: every minute of ``LATEST_DAY`` is in range
INSTANT_AFTER_LATEST = datetime.combine(LATEST_DAY + timedelta(days=1), time())

#: a price, fee, charge or allowance in euros
MAX_AMOUNT = Decimal("999999.99")
#: one person's monthly income in euros
MAX_INCOME = Decimal("99999999.99")
AMOUNT_DECIMALS = 2

#: a billing period ``YYYY-MM`` within the day range
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
#: text without NUL, which PostgreSQL cannot store (lone surrogates are refused by the parser)
NO_NUL_PATTERN = r"^[^\x00]*$"
_MONTH = re.compile(MONTH_PATTERN)


def day_in_range(day: date) -> bool:
    """``EARLIEST_DAY`` <= day <= ``LATEST_DAY``."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def month_in_range(month: str) -> bool:
    """A ``YYYY-MM`` text of a month within the day range."""
    return _MONTH.match(month) is not None


def range_text() -> str:
    """The day range as error messages state it."""
    return f"{EARLIEST_DAY.isoformat()}..{LATEST_DAY.isoformat()}"
