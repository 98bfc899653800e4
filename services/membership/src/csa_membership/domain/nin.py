"""Luxembourg national identification number, "matricule" (csa-rules.md §8).

Thirteen digits ``YYYYMMDDNNNCC``: the birth date, a three-digit serial, then digit 12 is a
Luhn check digit computed over the first eleven digits and digit 13 a Verhoeff check digit
computed over the same first eleven digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from csa_membership.domain.errors import InvalidNationalId

NIN_LENGTH = 13

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def luhn_check_digit(payload: str) -> int:
    """Luhn digit that, appended to ``payload``, makes the whole Luhn-valid."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def verhoeff_check_digit(payload: str) -> int:
    """Verhoeff digit that, appended to ``payload``, makes the whole Verhoeff-valid."""
    check = 0
    for position, char in enumerate(reversed(payload)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[(position + 1) % 8][int(char)]]
    return _VERHOEFF_INV[check]


@dataclass(frozen=True)
class NationalId:
    """A validated matricule and the birth date it encodes."""

    value: str
    birth_date: date

    def __str__(self) -> str:
        return self.value


def parse_nin(value: str, *, today: date | None = None) -> NationalId:
    """Validate a matricule (§8) and return it; raise ``InvalidNationalId`` saying what is wrong.

    Spaces are tolerated and removed. With ``today`` given, a birth date after it is refused.
    """
    digits = value.replace(" ", "")
    if len(digits) != NIN_LENGTH:
        raise InvalidNationalId(
            f"a national identification number has {NIN_LENGTH} digits, got {len(digits)}",
            code="nin_wrong_length",
        )
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidNationalId(
            "a national identification number contains digits only", code="nin_not_digits"
        )
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidNationalId(
            f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]} is not a valid birth date",
            code="nin_bad_birth_date",
        ) from None
    if today is not None and birth > today:
        raise InvalidNationalId(
            f"birth date {birth.isoformat()} is in the future", code="nin_birth_date_in_future"
        )
    payload = digits[:11]
    expected_luhn = luhn_check_digit(payload)
    if int(digits[11]) != expected_luhn:
        raise InvalidNationalId(
            f"digit 12 (Luhn check) is {digits[11]}, expected {expected_luhn}",
            code="nin_bad_luhn",
        )
    expected_verhoeff = verhoeff_check_digit(payload)
    if int(digits[12]) != expected_verhoeff:
        raise InvalidNationalId(
            f"digit 13 (Verhoeff check) is {digits[12]}, expected {expected_verhoeff}",
            code="nin_bad_verhoeff",
        )
    return NationalId(value=digits, birth_date=birth)


def is_valid_nin(value: str) -> bool:
    """True when ``value`` is a valid matricule (§8)."""
    try:
        parse_nin(value)
    except InvalidNationalId:
        return False
    return True


def make_nin(birth_date: date, serial: int) -> NationalId:
    """Build the valid matricule for a birth date and a serial 0-999 (tests, demo data)."""
    if not 0 <= serial <= 999:
        raise InvalidNationalId(f"serial must be 0-999, got {serial}", code="nin_bad_serial")
    payload = f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}{serial:03d}"
    value = f"{payload}{luhn_check_digit(payload)}{verhoeff_check_digit(payload)}"
    return NationalId(value=value, birth_date=birth_date)
