"""Identity's problem answers in the OpenAPI documents, and the caller's language.

Each domain error is typed with its status and title (``csa_identity.domain.errors``) and
rendered by the shared handler (``csa_shared.http.problems``): its ``detail`` in the caller's
language (``Accept-Language``), its ``error`` the stable catalogue key for clients.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from csa_identity.domain import errors as e
from csa_identity.domain import messages
from csa_shared.http.problems import PROBLEM_RESPONSES, problem_example


def language_of(request: Request) -> str:
    return messages.language_of(request.headers.get("accept-language", ""))


def _example(error: type[e.IdentityError], code: str, detail: str) -> dict[str, Any]:
    slug = code.replace(".", "-").replace("_", "-")
    return problem_example(error.status, error.title, slug, detail, error=code)


INVALID_INPUT = {422: PROBLEM_RESPONSES[422]}
LOGIN_PROBLEMS = {
    401: _example(e.LoginFailed, "login.failed", "IAM code or password not valid."),
    422: _example(e.OtpRejected, "otp.wrong", "The code is wrong."),
    429: _example(e.TooManyAttempts, "lockout.active", "Try again in 2 minutes."),
}
SMS_UNAVAILABLE = {
    503: {
        **_example(e.SmsUnavailable, "sms.unavailable", "The text message could not be sent."),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before sending the same request again",
                "schema": {"type": "integer"},
            }
        },
    },
}
REGISTRATION_PROBLEMS = {
    422: _example(
        e.LinkingCodeRejected, "linking_code.rejected", "This linking code is not valid."
    ),
    429: _example(e.SmsRateLimited, "sms.rate_limited", "Too many SMS; retry in 5 min."),
}
SESSION_PROBLEMS = {
    401: _example(e.InvalidRefreshToken, "session.invalid", "Your session has expired."),
}
ACTIVATION_PROBLEMS = {
    422: _example(
        e.ActivationCodeRejected, "activation_code.rejected", "This activation code is not valid."
    ),
    429: REGISTRATION_PROBLEMS[429],
}
OTP_PROBLEMS = {
    422: _example(e.OtpRejected, "otp.wrong", "The code is wrong."),
    429: LOGIN_PROBLEMS[429],
}
DETACH_PROBLEMS = {
    404: _example(e.ChildNotAttached, "child.not_attached", "This child is not attached."),
    409: _example(
        e.LastChildCannotBeDetached,
        "child.last_one",
        "The last child cannot be detached from the account.",
    ),
}
ATTACH_PROBLEMS = {
    409: _example(
        e.ChildAlreadyAttached, "child.already_attached", "This child is already attached."
    ),
    422: REGISTRATION_PROBLEMS[422],
}
CERTIFICATE_PROBLEMS = {
    422: _example(
        e.CertificateRejected, "certificate.rejected", "This certificate cannot be used."
    ),
}
WRONG_PASSWORD = {
    403: _example(
        e.WrongCurrentPassword, "password.wrong_current", "The current password is wrong."
    ),
}
CLIENT_PROBLEMS = {
    401: _example(e.InvalidClientCredentials, "client.invalid", "client authentication failed"),
}
