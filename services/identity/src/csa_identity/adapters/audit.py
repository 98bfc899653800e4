"""Security audit log: logins, failures, lockouts and account changes (never secrets)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.tables import audit_log


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
