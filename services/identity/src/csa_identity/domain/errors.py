"""Typed errors of the identity domain; ``code`` is the message-catalogue key shown to parents."""

from __future__ import annotations

from datetime import timedelta


class IdentityError(Exception):
    """Base of every identity domain error."""

    code = "identity.error"


class LoginFailed(IdentityError):
    """Unknown IAM code, wrong password or password lockout: one type, one message, so the
    answer never tells whether an IAM code exists (account enumeration)."""

    code = "login.failed"


class OtpRejected(IdentityError):
    """The one-time password is wrong, expired, already used or out of attempts."""

    code = "otp.rejected"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyAttempts(IdentityError):
    """Locked out after repeated failures; try again after ``retry_after``."""

    code = "lockout.active"

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"locked, retry after {int(retry_after.total_seconds())} s")
        self.retry_after = retry_after


class SmsRateLimited(IdentityError):
    """Too many SMS sent to this account or number recently."""

    code = "sms.rate_limited"

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"SMS limit reached, retry after {int(retry_after.total_seconds())} s")
        self.retry_after = retry_after


class LinkingCodeRejected(IdentityError):
    """Wrong, already spent or superseded linking code (or unknown IAM code)."""

    code = "linking_code.rejected"


class ActivationCodeRejected(IdentityError):
    """Wrong, expired or already used activation code (or unknown IAM code)."""

    code = "activation_code.rejected"


class WeakPassword(IdentityError):
    """The new password breaks the password policy; ``reason`` is a catalogue key."""

    code = "password.weak"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidPhoneNumber(IdentityError):
    code = "phone.invalid"


class InvalidEmail(IdentityError):
    code = "email.invalid"


class CardExpired(IdentityError):
    code = "card.expired"


class AccountNotActive(IdentityError):
    code = "account.not_active"


class ChildAlreadyAttached(IdentityError):
    code = "child.already_attached"


class ChildNotAttached(IdentityError):
    code = "child.not_attached"


class LastChildCannotBeDetached(IdentityError):
    code = "child.last_one"


class CertificateRejected(IdentityError):
    code = "certificate.rejected"


class InvalidRefreshToken(IdentityError):
    """Unknown, expired or revoked refresh token."""

    code = "session.invalid"


class RefreshTokenReused(InvalidRefreshToken):
    """A rotated refresh token came back: the whole session family is revoked."""

    code = "session.reused"


class InvalidClientCredentials(IdentityError):
    code = "client.invalid"


class IamCodeSpaceExhausted(IdentityError):
    code = "iam_code.exhausted"


class WrongCurrentPassword(IdentityError):
    """The current password given in the virtual office is wrong."""

    code = "password.wrong_current"


class SmsUnavailable(IdentityError):
    """The SMS gateway refused the message or could not be reached: nothing was stored, the
    same request can be sent again after ``retry_after``."""

    code = "sms.unavailable"

    def __init__(
        self,
        detail: str = "sms gateway unavailable",
        *,
        retry_after: timedelta = timedelta(seconds=30),
    ) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
