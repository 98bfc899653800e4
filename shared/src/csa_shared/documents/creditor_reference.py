"""The ISO 11649 structured creditor reference ("RF" reference) printed on an invoice.

``RF`` + two check digits + up to 21 letters and digits. The check digits are those of
ISO 7064 MOD 97-10, as for an IBAN: the reference with ``RF00`` moved to its end, letters
read as numbers (A = 10 ... Z = 35), gives ``98 - (n mod 97)``; a valid reference gives
``n mod 97 == 1`` once its own check digits are moved to the end.
"""

from __future__ import annotations

import string

MAX_BODY = 21
_ALPHABET = string.digits + string.ascii_uppercase


class InvalidReferenceBody(ValueError):
    """Not a body an RF reference can carry."""


def _numeric(text: str) -> int:
    return int("".join(str(_ALPHABET.index(c)) for c in text))


def compact(reference: str) -> str:
    """Without spaces, in capitals (as printed or typed: ``rf18 5390 0754 7034``)."""
    return "".join(reference.split()).upper()


def creditor_reference(body: str) -> str:
    """The RF reference of ``body`` (its letters and digits; other characters dropped)."""
    cleaned = "".join(c for c in compact(body) if c in _ALPHABET)
    if not cleaned or len(cleaned) > MAX_BODY:
        raise InvalidReferenceBody(f"an RF reference carries 1 to {MAX_BODY} letters or digits")
    check = 98 - _numeric(cleaned + "RF00") % 97
    return f"RF{check:02d}{cleaned}"


def is_valid(reference: str) -> bool:
    """Whether ``reference`` is a well-formed RF reference with the right check digits."""
    value = compact(reference)
    body = value[4:]
    if not value.startswith("RF") or not value[2:4].isdigit():
        return False
    if not body or len(body) > MAX_BODY or any(c not in _ALPHABET for c in body):
        return False
    return _numeric(body + value[:4]) % 97 == 1


def grouped(reference: str) -> str:
    """In groups of four for print (``RF18 5390 0754 7034``)."""
    value = compact(reference)
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
