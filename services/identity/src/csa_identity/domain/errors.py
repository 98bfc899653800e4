"""Typed errors of the identity domain, each with its answer (``csa_shared.errors``).

``code`` is the message-catalogue key shown to parents; the problem's ``detail`` is its text
in the caller's language (``Accept-Language``: lb, de, fr, en, pt; else French), its ``error``
member the stable key (the ``reason`` where there is one) clients branch on. Without a status
of its own an error is a 422 "Rejected".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from csa_shared.errors import DomainError


class IdentityError(DomainError):
    """Base of every identity domain error."""

    status, title = 422, "Rejected"
    code = "identity.error"

    def problem_detail(self, accept_language: str) -> str:
        from csa_identity.domain.messages import error_message, language_of

        return error_message(self, language_of(accept_language))

    def problem_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"error": getattr(self, "reason", None) or self.code}
        retry_after = self._retry_after()
        if retry_after is not None:
            fields["retry_after"] = int(retry_after.total_seconds())
        return fields

    def problem_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        retry_after = self._retry_after()
        if retry_after is not None:
            headers["Retry-After"] = str(max(1, int(retry_after.total_seconds())))
        if self.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return headers

    def _retry_after(self) -> timedelta | None:
        retry_after: timedelta | None = getattr(self, "retry_after", None)
        return retry_after


class LoginFailed(IdentityError):
    """Unknown IAM code, wrong password or password lockout: one type, one message, so the
    answer never tells whether an IAM code exists (account enumeration)."""

    status, title = 401, "Login failed"
    code = "login.failed"


class OtpRejected(IdentityError):
    """The one-time password is wrong, expired, already used or out of attempts."""

    code = "otp.rejected"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyAttempts(IdentityError):
    """Locked out after repeated failures; try again after ``retry_after``."""

    status, title = 429, "Too many attempts"
    code = "lockout.active"

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"locked, retry after {int(retry_after.total_seconds())} s")
        self.retry_after = retry_after


class SmsRateLimited(IdentityError):
    """Too many SMS sent to this account or number recently."""

    status, title = 429, "Too many SMS"
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
    status, title = 403, "Account not active"
    code = "account.not_active"


class ChildAlreadyAttached(IdentityError):
    status, title = 409, "Child already attached"
    code = "child.already_attached"


class ChildNotAttached(IdentityError):
    status, title = 404, "Child not attached"
    code = "child.not_attached"


class LastChildCannotBeDetached(IdentityError):
    status, title = 409, "Last child cannot be detached"
    code = "child.last_one"


class CertificateRejected(IdentityError):
    code = "certificate.rejected"


class InvalidRefreshToken(IdentityError):
    """Unknown, expired or revoked refresh token."""

    status, title = 401, "Session not valid"
    code = "session.invalid"


class RefreshTokenReused(InvalidRefreshToken):
    """A rotated refresh token came back: the whole session family is revoked."""

    code = "session.reused"


class InvalidClientCredentials(IdentityError):
    status, title = 401, "Invalid client"
    code = "client.invalid"


class IamCodeSpaceExhausted(IdentityError):
    code = "iam_code.exhausted"


class WrongCurrentPassword(IdentityError):
    """The current password given in the virtual office is wrong."""

    status, title = 403, "Wrong current password"
    code = "password.wrong_current"


class SmsUnavailable(IdentityError):
    """The SMS gateway refused the message or could not be reached: nothing was stored, the
    same request can be sent again after ``retry_after``."""

    status, title = 503, "SMS not sent"
    code = "sms.unavailable"

    def __init__(
        self,
        detail: str = "sms gateway unavailable",
        *,
        retry_after: timedelta = timedelta(seconds=30),
    ) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
