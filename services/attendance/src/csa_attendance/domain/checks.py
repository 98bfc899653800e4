"""Small field checks shared by the attendance validators; each returns violations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from csa_attendance.domain.errors import Code, Violation
from csa_shared.rules.bounds import MAX_AMOUNT, day_in_range, range_text


def money(value: Decimal, field: str, *, positive: bool = False) -> list[Violation]:
    """An amount in euros: a finite Decimal with at most two decimals, >= 0 (> 0 if asked),
    at most ``MAX_AMOUNT``."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return [Violation(Code.INVALID_VALUE, field, f"{field} must be a decimal amount")]
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return [Violation(Code.INVALID_VALUE, field, f"{field} has more than two decimals")]
    if value < 0 or (positive and value == 0):
        bound = "positive" if positive else "zero or more"
        return [Violation(Code.INVALID_VALUE, field, f"{field} must be {bound}, got {value}")]
    if value > MAX_AMOUNT:
        return [Violation(Code.INVALID_VALUE, field, f"{field} must be at most {MAX_AMOUNT}")]
    return []


def day(value: date, field: str) -> list[Violation]:
    """A day within the platform's range (``csa_shared.rules.bounds``): two comparisons,
    cheap enough for every batch item; beyond it days cannot be stepped through safely."""
    if day_in_range(value):
        return []
    return [Violation(Code.INVALID_VALUE, field, f"{field} must be a day of {range_text()}")]


def text(value: str, field: str) -> list[Violation]:
    """A required, non-blank text."""
    if not value or not value.strip():
        return [Violation(Code.INVALID_VALUE, field, f"{field} is required")]
    return []


def local_minute(value: datetime, field: str) -> list[Violation]:
    """A naive local Luxembourg time on a whole minute (attendance counts minutes)."""
    if value.tzinfo is not None:
        return [
            Violation(
                Code.TIMEZONE_NOT_ALLOWED, field, f"{field} must be local time without offset"
            )
        ]
    if value.second or value.microsecond:
        return [Violation(Code.NOT_WHOLE_MINUTE, field, f"{field} must be on a whole minute")]
    return []
