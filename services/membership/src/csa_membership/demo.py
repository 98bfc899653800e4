"""Demo family for embedded mode: Mia Muller of Esch-sur-Alzette with a signed contract.

Loaded through the service's own use cases. Idempotent: the child is found again by its
national identification number, and nothing is filed when she already has a contract. Her
child id is ``demo-child-001``, the child of attendance's demo presences.

The contract is filed and signed on a fixed day, 2025-02-03 (not "today"), so it is valid
for the billing periods 2025-02 to 2026-01: the months of attendance's demo provider and of
``scripts/walkthrough.py`` (2025-03), which the shipped school calendars cover.
"""

from __future__ import annotations

from datetime import date

from csa_membership.contracts import repository, service
from csa_membership.contracts.schemas import APPLICATION_EXAMPLE, ApplicationIn
from csa_membership.domain.nin import make_nin
from csa_shared.auth import Principal, PrincipalKind, Role
from csa_shared.runtime import ServiceRuntime

DEMO_CHILD = "demo-child-001"
DEMO_CHILD_BIRTH = date(2022, 5, 10)
DEMO_SIGNED_ON = date(2025, 2, 3)  # first Monday of billing period 2025-02
DEMO_AGENT = Principal(
    subject="demo-agent-esch",
    kind=PrincipalKind.AGENT,
    roles=frozenset({Role.COMMUNE_AGENT.value}),
    commune="Esch-sur-Alzette",
)


async def load(runtime: ServiceRuntime) -> None:
    nin = make_nin(DEMO_CHILD_BIRTH, 42).value
    async with runtime.unit_of_work() as session:
        child_id = await repository.child_id_by_nin(session, nin)
        if child_id is not None and await repository.of_child(session, child_id):
            return
        if child_id is None:
            await repository.insert_child(
                session,
                child_id=DEMO_CHILD,
                nin=nin,
                first="Mia",
                last="Muller",
                born=DEMO_CHILD_BIRTH,
            )
        body = ApplicationIn.model_validate(
            APPLICATION_EXAMPLE
            | {"child": {"first_name": "Mia", "last_name": "Muller", "nin": nin}}
        )
        filed = await service.file(session, DEMO_AGENT, body, filed_on=DEMO_SIGNED_ON)
        await service.sign_contract(
            session,
            runtime.outbox,
            DEMO_AGENT,
            filed.contract.contract_id,
            signed_on=DEMO_SIGNED_ON,
            source=runtime.source,
        )
