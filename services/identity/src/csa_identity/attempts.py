"""A counted attempt: one unit of work whose refusal is raised only after it commits.

A wrong password, SMS code, activation code or refresh token is counted (failure counters,
spent OTP attempts, a revoked session family) and audited. Raising the domain error inside
the transaction would roll that count back with everything else, so a use case refuses
through ``Attempt.refuse``: what it wrote so far is committed, then the error is raised to
the caller (and mapped to its problem answer).

An error raised inside the block (not through ``refuse``) rolls the unit of work back; with
``audit_errors`` the attempt then records that failure in a unit of work of its own, as
``adapters.audit.failures_audited`` does (a refusal is audited by ``refuse_audited`` only).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.adapters.audit import audit, failures_audited
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
async def counted_attempt(
    runtime: ServiceRuntime,
    *,
    now: datetime,
    audit_errors: str | None = None,
    subject: str | None = None,
) -> AsyncIterator[Attempt]:
    """One unit of work for one attempt; a refusal commits it and is raised afterwards.

    ``audit_errors``: the action of the failure row written (for ``subject``) when an error
    is raised inside the block instead of refused."""
    refusal: IdentityError | None = None
    async with AsyncExitStack() as errors:
        if audit_errors is not None:
            await errors.enter_async_context(
                failures_audited(runtime, audit_errors, now=now, subject=subject)
            )
        async with runtime.unit_of_work() as session:
            try:
                yield Attempt(session, now)
            except _Refused as refused:
                refusal = refused.error
    if refusal is not None:
        raise refusal
