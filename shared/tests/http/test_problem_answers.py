"""One handler answers every typed refusal (``csa_shared.errors.DomainError``) with its
problem: status, title, type, detail, the error's own members and headers."""

from __future__ import annotations

from typing import Any

from csa_shared.auth.errors import Forbidden as TokenForbidden
from csa_shared.auth.errors import InvalidToken
from csa_shared.errors import Conflict, DomainError, Unauthorized
from csa_shared.rules.errors import RuleInputError
from csa_shared.testing.problems import answer_of

BASE = "https://csa.lu/problems/"


async def test_an_application_error_carries_its_code_fields_and_challenge() -> None:
    status, headers, body = await answer_of(Conflict("taken", code="my-code", holder="a"))
    assert (status, headers) == (409, {})
    assert body == {"type": BASE + "my-code", "title": "Conflict", "status": 409,
                    "detail": "taken", "holder": "a"}  # fmt: skip
    challenged = await answer_of(Unauthorized("who?", www_authenticate="Bearer"))
    assert challenged[:2] == (401, {"www-authenticate": "Bearer"})
    assert "www_authenticate" not in challenged[2]


async def test_token_errors_are_401_with_a_bearer_challenge_and_403_without() -> None:
    status, headers, body = await answer_of(InvalidToken("expired"))
    assert (status, headers, body["type"], body["detail"]) == (
        401, {"www-authenticate": "Bearer"}, BASE + "unauthorized", "expired"
    )  # fmt: skip
    status, headers, body = await answer_of(TokenForbidden("not yours"))
    assert (status, headers, body["title"]) == (403, {}, "Forbidden")


async def test_a_rule_input_error_names_its_field() -> None:
    status, _, body = await answer_of(RuleInputError("week.start", "not a Monday"))
    assert status == 422
    assert list(body) == ["type", "title", "status", "detail", "errors"]
    assert body["errors"] == [{"field": "week.start", "message": "not a Monday"}]
    assert body["detail"] == "week.start: not a Monday"


class _Refused(DomainError):
    status, title, code = 429, "Slow down", "slow_down.now"

    def problem_detail(self, accept_language: str) -> str:
        return f"{self} ({accept_language or 'no language'})"

    def problem_fields(self) -> dict[str, Any]:
        return {"wait": 3}

    def problem_headers(self) -> dict[str, str]:
        return {"Retry-After": "3"}


async def test_a_domain_error_declares_its_answer_through_its_hooks() -> None:
    status, headers, body = await answer_of(_Refused("too fast"), accept_language="de")
    assert (status, headers) == (429, {"retry-after": "3"})
    assert body == {"type": BASE + "slow-down-now", "title": "Slow down", "status": 429,
                    "detail": "too fast (de)", "wait": 3}  # fmt: skip
