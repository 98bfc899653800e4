"""The scheduled expiry job: every active contract whose validity ended is expired.

Each contract is expired in its own transaction (its ``contract.expired`` event goes to the
outbox with it; the service's relay publishes it), so one failure does not block the rest
and a re-run expires nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date

from csa_membership.contracts import repository
from csa_membership.contracts.service import expire_one
from csa_shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def run_expiry(runtime: ServiceRuntime, *, as_of: date) -> list[str]:
    """Expire what is due on ``as_of``; return the expired contract ids."""
    async with runtime.sessions() as session:
        due = await repository.due_for_expiry(session, as_of=as_of)
    expired: list[str] = []
    for contract_id in due:
        async with runtime.unit_of_work() as unit:
            if await expire_one(
                unit, runtime.outbox, contract_id, as_of=as_of, source=runtime.source
            ):
                expired.append(contract_id)
    log.info("expiry job as of %s: %d contract(s) expired", as_of.isoformat(), len(expired))
    return expired
