"""counted_attempt: a refusal is committed before it is raised; anything else rolls back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from csa_identity.adapters.audit import audit
from csa_identity.attempts import counted_attempt
from csa_identity.domain.errors import OtpRejected
from csa_identity.tables import audit_log
from csa_shared.runtime import ServiceRuntime

pytestmark = pytest.mark.postgres


async def _audit_rows(runtime: ServiceRuntime) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    async with runtime.unit_of_work() as session:
        rows = await session.execute(
            select(audit_log.c.action, audit_log.c.outcome, audit_log.c.subject, audit_log.c.detail)
            .where(audit_log.c.action.like("test.%"))
            .order_by(audit_log.c.id)
        )
        return [tuple(row) for row in rows]


async def test_a_refusal_raises_its_error_after_committing_what_the_attempt_wrote(
    identity: ServiceRuntime, clock: Callable[[], datetime]
) -> None:
    now = clock()
    with pytest.raises(OtpRejected) as raised:
        async with counted_attempt(identity, now=now) as attempt:
            await audit(attempt.session, "test.counted", now=now, subject="account-1")
            attempt.refuse(OtpRejected("otp.wrong"))
            await audit(attempt.session, "test.after_refusal", now=now)  # never reached
    assert raised.value.reason == "otp.wrong"
    assert await _audit_rows(identity) == [("test.counted", "success", "account-1", {})]


async def test_refuse_audited_commits_a_failure_row_with_its_detail(
    identity: ServiceRuntime, clock: Callable[[], datetime]
) -> None:
    now = clock()
    with pytest.raises(OtpRejected):
        async with counted_attempt(identity, now=now) as attempt:
            await attempt.refuse_audited(
                OtpRejected("otp.wrong"), "test.refused", subject="account-2", reason="otp.wrong"
            )
    assert await _audit_rows(identity) == [
        ("test.refused", "failure", "account-2", {"reason": "otp.wrong"})
    ]


async def test_an_unexpected_error_rolls_the_attempt_back(
    identity: ServiceRuntime, clock: Callable[[], datetime]
) -> None:
    now = clock()
    with pytest.raises(RuntimeError):
        async with counted_attempt(identity, now=now) as attempt:
            await audit(attempt.session, "test.rolled_back", now=now)
            raise RuntimeError("database went away")
    assert await _audit_rows(identity) == []


async def test_an_attempt_that_is_not_refused_commits_and_returns(
    identity: ServiceRuntime, clock: Callable[[], datetime]
) -> None:
    now = clock()

    async def use_case() -> str:
        async with counted_attempt(identity, now=now) as attempt:
            await audit(attempt.session, "test.accepted", now=now)
            return "tokens"

    assert await use_case() == "tokens"
    assert await _audit_rows(identity) == [("test.accepted", "success", None, {})]
