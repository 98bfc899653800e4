"""A counted attempt: one unit of work whose refusal is raised only after it commits.

A wrong password, SMS code, activation code or refresh token is counted (failure counters,
spent OTP attempts, a revoked session family) and audited. Raising the domain error inside
the transaction would roll that count back with everything else, so a use case refuses
through ``Attempt.refuse``: what it wrote so far is committed, then the error is raised to
the caller (and mapped to its problem answer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.audit import audit
from csa_identity.domain.errors import IdentityError
from csa_shared.runtime import ServiceRuntime


class _Refused(Exception):
    """Carries the domain error out of the use case's block to ``counted_attempt``."""

    def __init__(self, error: IdentityError) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True, slots=True)
class Attempt:
    """The attempt's session and instant, and the way out of it."""

    session: AsyncSession
    now: datetime

    def refuse(self, error: IdentityError) -> NoReturn:
        """Leave the use case: its writes so far are committed, then ``error`` is raised."""
        raise _Refused(error)

    async def refuse_audited(
        self, error: IdentityError, action: str, *, subject: str | None = None, **detail: Any
    ) -> NoReturn:
        """``refuse`` after writing the attempt's failure row to the audit log."""
        await audit(
            self.session, action, now=self.now, outcome="failure", subject=subject, **detail
        )
        self.refuse(error)


@asynccontextmanager
async def counted_attempt(runtime: ServiceRuntime, *, now: datetime) -> AsyncIterator[Attempt]:
    """One unit of work for one attempt; a refusal commits it and is raised afterwards."""
    refusal: IdentityError | None = None
    async with runtime.unit_of_work() as session:
        try:
            yield Attempt(session, now)
        except _Refused as refused:
            refusal = refused.error
    if refusal is not None:
        raise refusal
