"""Security audit log: logins, failures, lockouts and account changes (never secrets).

``audit`` writes in the caller's unit of work (it commits or rolls back with the change it
records). A use case that raises from inside its transaction would roll its failure row back
with everything else; ``failures_audited`` wraps such a transaction and writes the failure
row in a unit of work of its own, committed before the error goes on to the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.domain.errors import IdentityError
from csa_identity.tables import audit_log
from csa_shared.errors import ApplicationError
from csa_shared.runtime import ServiceRuntime

AUDITED_ERRORS = (IdentityError, ApplicationError)


async def audit(
    session: AsyncSession,
    action: str,
    *,
    now: datetime,
    outcome: str = "success",
    subject: str | None = None,
    **detail: Any,
) -> None:
    await session.execute(
        audit_log.insert().values(
            at=now, action=action, outcome=outcome, subject=subject, detail=detail
        )
    )


def reason_of(error: Exception) -> str:
    reason = getattr(error, "reason", None)
    if isinstance(reason, str):
        return reason
    code = getattr(error, "code", None)
    return code if isinstance(code, str) else type(error).__name__


@asynccontextmanager
async def failures_audited(
    runtime: ServiceRuntime,
    action: str,
    *,
    now: datetime,
    subject: str | None = None,
    **detail: Any,
) -> AsyncIterator[None]:
    """Around a use case's transaction: a domain error leaves a committed failure row."""
    try:
        yield
    except AUDITED_ERRORS as error:
        async with runtime.unit_of_work() as session:
            await audit(
                session,
                action,
                now=now,
                outcome="failure",
                subject=subject,
                reason=reason_of(error),
                **detail,
            )
        raise
