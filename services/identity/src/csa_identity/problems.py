"""Identity domain errors → RFC 9457 problem details, in one place.

The ``detail`` is the parent-facing text in the caller's language (``Accept-Language``:
lb, de, fr, en; else French); ``code`` is the stable catalogue key for clients.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from csa_identity.domain import errors as e
from csa_identity.domain.messages import LANGUAGES, error_message
from csa_shared.http.problems import (
    PROBLEM_BASE,
    PROBLEM_JSON,
    PROBLEM_RESPONSES,
    problem_response,
)

_STATUS: list[tuple[type[e.IdentityError], int, str]] = [
    (e.LoginFailed, 401, "Login failed"),
    (e.InvalidRefreshToken, 401, "Session not valid"),
    (e.InvalidClientCredentials, 401, "Invalid client"),
    (e.TooManyAttempts, 429, "Too many attempts"),
    (e.SmsRateLimited, 429, "Too many SMS"),
    (e.AccountNotActive, 403, "Account not active"),
    (e.WrongCurrentPassword, 403, "Wrong current password"),
    (e.ChildAlreadyAttached, 409, "Child already attached"),
    (e.LastChildCannotBeDetached, 409, "Last child cannot be detached"),
    (e.ChildNotAttached, 404, "Child not attached"),
    (e.SmsUnavailable, 503, "SMS not sent"),
]


def status_of(error: e.IdentityError) -> tuple[int, str]:
    for kind, status, title in _STATUS:
        if isinstance(error, kind):
            return status, title
    return 422, "Rejected"


def language_of(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "fr"


async def _identity_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.IdentityError)
    status, title = status_of(exc)
    extra: dict[str, Any] = {"error": getattr(exc, "reason", None) or exc.code}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        extra["retry_after"] = int(retry_after.total_seconds())
    slug = exc.code.replace(".", "-").replace("_", "-")
    response = problem_response(
        status, title, error_message(exc, language_of(request)), slug, **extra
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(retry_after.total_seconds())))
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.IdentityError, _identity_error)


def _example(status: int, title: str, code: str, detail: str) -> dict[str, Any]:
    return {
        "description": title,
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": PROBLEM_BASE + code.replace(".", "-").replace("_", "-"),
                    "title": title,
                    "status": status,
                    "detail": detail,
                    "error": code,
                },
            }
        },
    }


INVALID_INPUT = {422: PROBLEM_RESPONSES[422]}
LOGIN_PROBLEMS = {
    401: _example(401, "Login failed", "login.failed", "IAM code or password not valid."),
    422: _example(422, "Rejected", "otp.wrong", "The code is wrong."),
    429: _example(429, "Too many attempts", "lockout.active", "Try again in 2 minutes."),
}
SMS_UNAVAILABLE = {
    503: {
        **_example(503, "SMS not sent", "sms.unavailable", "The text message could not be sent."),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before sending the same request again",
                "schema": {"type": "integer"},
            }
        },
    },
}
REGISTRATION_PROBLEMS = {
    422: _example(422, "Rejected", "linking_code.rejected", "This linking code is not valid."),
    429: _example(429, "Too many SMS", "sms.rate_limited", "Too many SMS; retry in 5 min."),
}
SESSION_PROBLEMS = {
    401: _example(401, "Session not valid", "session.invalid", "Your session has expired."),
}
ACTIVATION_PROBLEMS = {
    422: _example(
        422, "Rejected", "activation_code.rejected", "This activation code is not valid."
    ),
    429: REGISTRATION_PROBLEMS[429],
}
OTP_PROBLEMS = {
    422: _example(422, "Rejected", "otp.wrong", "The code is wrong."),
    429: LOGIN_PROBLEMS[429],
}
DETACH_PROBLEMS = {
    404: _example(404, "Child not attached", "child.not_attached", "This child is not attached."),
    409: _example(
        409,
        "Last child cannot be detached",
        "child.last_one",
        "The last child cannot be detached from the account.",
    ),
}
ATTACH_PROBLEMS = {
    409: _example(
        409, "Child already attached", "child.already_attached", "This child is already attached."
    ),
    422: REGISTRATION_PROBLEMS[422],
}
CERTIFICATE_PROBLEMS = {
    422: _example(422, "Rejected", "certificate.rejected", "This certificate cannot be used."),
}
WRONG_PASSWORD = {
    403: _example(
        403, "Wrong current password", "password.wrong_current", "The current password is wrong."
    ),
}
CLIENT_PROBLEMS = {
    401: _example(401, "Invalid client", "client.invalid", "client authentication failed"),
}
