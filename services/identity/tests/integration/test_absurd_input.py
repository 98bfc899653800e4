"""Absurd input (issue 19 §4): a 4xx problem, never a 500, and nothing stored or started."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from csa_identity.tables import accounts, agents, pending_flows
from csa_shared.testing.problems import assert_refused_naming

pytestmark = pytest.mark.postgres

LOGIN = {"iam_code": "MusMa123", "password": "correct horse battery staple"}
REGISTRATION = {**LOGIN, "linking_code": "K7QX-M2RT-9WHB-CZ4N", "mobile": "+352 621 123 456"}

# (path, body, the field the problem names; None: refused before parsing, 413)
ABSURD: dict[str, tuple[str, Any, str | None]] = {
    "8 MiB anonymous login": (
        "/v1/login", '{"iam_code": "MusMa123", "password": "' + "x" * (8 << 20) + '"}', None,
    ),
    "NUL in a login's IAM code": ("/v1/login", {**LOGIN, "iam_code": "Mus\x00Ma"}, "iam_code"),
    "NUL in a linking code": (
        "/v1/registrations", {**REGISTRATION, "linking_code": "K7QX\x00"}, "linking_code",
    ),
    "NUL in an agent id": (
        "/v1/agents/login", {"agent_id": "a\x00", "password": "p", "totp": "123456"}, "agent_id",
    ),
    "100 000-deep JSON login": ("/v1/login", "[" * 100_000 + "]" * 100_000, "body"),
}  # fmt: skip


async def _stored(identity) -> list[Any]:
    async with identity.sessions() as session:
        return [
            sorted(map(repr, (await session.execute(select(table))).all()))
            for table in (accounts, agents, pending_flows)
        ]


@pytest.mark.parametrize("case", ABSURD, ids=list(ABSURD))
async def test_absurd_input_is_a_4xx_problem_and_nothing_is_stored(
    api, identity, case: str
) -> None:
    path, body, field = ABSURD[case]
    sent: dict[str, Any] = (
        {"content": body, "headers": {"content-type": "application/json"}}
        if isinstance(body, str)
        else {"json": body}
    )
    before = await _stored(identity)

    response = await api.post(path, **sent)

    assert_refused_naming(response, field)
    assert await _stored(identity) == before
