"""A service's problem (its stable ``error`` code) → the sentence the visitor reads.

The sentences are msgids of the portal's catalogues; identity's own ``detail`` is not shown,
so every message exists in all five languages, Portuguese included.
"""

from __future__ import annotations

from csa_portal.api import ApiError
from csa_portal.i18n import Translate


def N_(message: str) -> str:
    """Marks a text for the catalogues; translated where it is shown."""
    return message


MESSAGES = {
    "linking_code.rejected": N_(
        "This linking code is not valid or has already been used. "
        "Use the code from the latest myCard letter."
    ),
    "otp.wrong": N_("The SMS code is wrong. Check the code and try again."),
    "otp.expired": N_("The SMS code has expired. Start again to receive a new code."),
    "otp.used": N_("This SMS code has already been used. Start again to receive a new code."),
    "otp.exhausted": N_("Too many wrong codes. Start again to receive a new code."),
    "otp.wrong_purpose": N_("This SMS code was sent for something else. Start again."),
    "lockout.active": N_(
        "Too many failed attempts: the account is locked for a while. Try again later."
    ),
    "login.failed": N_("IAM code or password not valid."),
    "sms.rate_limited": N_("Too many SMS codes were requested. Wait a few minutes."),
    "sms.unavailable": N_("The SMS could not be sent. Try again in a moment."),
    "password.too_short": N_("The password is too short: use at least 12 characters."),
    "password.too_long": N_("The password is too long."),
    "password.common": N_("This password is too common. Choose another one."),
    "password.repetitive": N_("This password is too repetitive. Choose another one."),
    "password.contains_iam_code": N_("The password must not contain the IAM code."),
    "phone.invalid": N_("This mobile number is not valid."),
    "email.invalid": N_("This e-mail address is not valid."),
    "card.expired": N_("This myCard has expired. A new letter will be sent to you."),
    "account.not_active": N_(
        "This account is not active. Ask for an activation code, sent to you by post."
    ),
    "activation_code.rejected": N_(
        "This activation code is not valid or no longer valid. Ask for a new letter."
    ),
    "session.invalid": N_("Your session has expired. Please log in again."),
    "password.wrong_current": N_("The current password is wrong."),
    "child.already_attached": N_("This child is already attached to your account."),
    "child.not_attached": N_("This child is not attached to your account."),
    "child.last_one": N_("The last child cannot be detached from the account."),
}
UNREACHABLE = N_("The service is not available at the moment. Please try again later.")
NOT_FOUND = N_("This page does not exist.")
UNEXPECTED = N_("Something went wrong. Please check your entries and try again.")
# a code that ends the flow: the visitor starts again (new SMS)
RESTART = {"otp.expired", "otp.used", "otp.exhausted", "otp.wrong_purpose", "lockout.active"}


def message_of(error: ApiError, _: Translate) -> str:
    if error.code in MESSAGES:
        return _(MESSAGES[error.code])
    if error.status == 404:  # another family's invoice is not found either
        return _(NOT_FOUND)
    if error.status >= 500:
        return _(UNREACHABLE)
    return _(UNEXPECTED)
