"""Mobile numbers for the SMS one-time password (csa-rules.md §9), stored as E.164."""

from __future__ import annotations

import phonenumbers

from csa_identity.domain.errors import InvalidPhoneNumber

DEFAULT_REGION = "LU"
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_mobile(raw: str, *, default_region: str = DEFAULT_REGION) -> str:
    """``621 123 456`` → ``+352621123456``; a number that is not a valid mobile is refused
    (the number only serves to receive SMS, seed 000)."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("not a valid phone number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber("not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """For messages such as "code sent to +352 ••• ••• 456": keep the last three digits."""
    return e164[:4] + "•" * max(len(e164) - 7, 0) + e164[-3:]
