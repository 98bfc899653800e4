"""Bank account identifiers: IBAN (ISO 13616, mod-97 check) and BIC (ISO 9362).

Attendance checks a provider's bank details when they are registered; billing checks the
paying agency's configured account and the creditors' before writing a SEPA file.
"""

from __future__ import annotations

import re

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
# BICFIDec2014Identifier of the ISO 20022 schemas: institution, country, location, branch
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def electronic_form(text: str) -> str:
    """An IBAN or BIC as typed ("LU28 0019 4006 4475 0000") in its electronic form: no spaces,
    upper case."""
    return "".join(text.split()).upper()


def iban_problem(iban: str) -> str | None:
    """Why ``iban`` (electronic form) is not a valid IBAN, or None when it is."""
    if not _IBAN.match(iban):
        return "an IBAN is a country code, 2 check digits and 11 to 30 letters or digits"
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    if int(digits) % 97 != 1:
        return "the IBAN's check digits do not match (mod-97)"
    return None


def bic_problem(bic: str) -> str | None:
    """Why ``bic`` is not a valid BIC (8 or 11 characters), or None when it is."""
    if not _BIC.match(bic):
        return "a BIC is 8 or 11 letters or digits: bank (4), country (2), location (2), branch"
    return None
