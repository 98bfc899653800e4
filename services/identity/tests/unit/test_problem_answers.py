"""Identity's domain errors answer with their status, the parent's language and the
catalogue key (``domain/errors.py``, rendered by the shared handler)."""

from __future__ import annotations

from datetime import timedelta

from csa_identity.domain.errors import LoginFailed, SmsUnavailable, TooManyAttempts
from csa_shared.testing.problems import answer_of


async def test_a_lockout_is_429_in_german_with_90_seconds_to_wait() -> None:
    status, headers, body = await answer_of(TooManyAttempts(timedelta(seconds=90)), "de-LU, fr")
    assert (status, headers) == (429, {"retry-after": "90"})
    assert body == {
        "type": "https://csa.lu/problems/lockout-active",
        "title": "Too many attempts",
        "status": 429,
        "detail": "Zu viele Versuche. Versuchen Sie es in 2 Minuten erneut.",
        "error": "lockout.active",
        "retry_after": 90,
    }


async def test_a_failed_login_is_401_with_a_bearer_challenge_in_french_by_default() -> None:
    status, headers, body = await answer_of(LoginFailed("wrong password"))
    assert (status, headers) == (401, {"www-authenticate": "Bearer"})
    assert (body["title"], body["error"]) == ("Login failed", "login.failed")
    assert body["detail"].startswith("Échec de la connexion.")


async def test_an_sms_outage_asks_for_at_least_one_second() -> None:
    status, headers, body = await answer_of(SmsUnavailable(retry_after=timedelta(0)))
    assert (status, headers, body["retry_after"]) == (503, {"retry-after": "1"}, 0)
