"""Child facts shared by the membership rules (csa-rules.md §5, §8)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from csa_membership.domain.errors import InvalidDate


class Schooling(StrEnum):
    """The child's schooling, as billing needs it (interfaces.md §2)."""

    NONE = "none"
    PRECOCE_PART_TIME = "precoce_part_time"
    PRECOCE_FULL_TIME = "precoce_full_time"
    FUNDAMENTAL = "fundamental"


def age_on(birth_date: date, day: date) -> int:
    """Age in completed years on ``day``; a birth after ``day`` is an impossible date."""
    if birth_date > day:
        raise InvalidDate(
            f"birth date {birth_date.isoformat()} is after {day.isoformat()}",
            code="birth_date_in_future",
        )
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (1 if before_birthday else 0)
