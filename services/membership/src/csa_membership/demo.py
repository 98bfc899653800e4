"""Demo family for embedded mode: Mia Muller of Esch-sur-Alzette with a signed contract.

Loaded through the service's own use cases. Idempotent: the child is found again by its
national identification number, and nothing is filed when she already has a contract. Her
child id is ``demo-child-001``, the child of attendance's demo presences.

The contract is filed and signed on a fixed day, 2025-02-03 (not "today"), so it is valid
for the billing periods 2025-02 to 2026-01: the months of attendance's demo provider and of
``scripts/walkthrough.py`` (2025-03), which the shipped school calendars cover.

Two plurilingual education weeks of attendance's demo provider are offered too, for the
children aged 1 to 4 (Mia is 4 until 2027-05-09), starting on the Mondays three and six weeks
after the day of loading (an offer closes when its week starts); loaded again only when no
demo week is still to come.
"""

from __future__ import annotations

from datetime import date, timedelta

from csa_membership.contracts import repository, service
from csa_membership.contracts.schemas import APPLICATION_EXAMPLE, ApplicationIn
from csa_membership.domain.nin import make_nin
from csa_membership.domain.weeks import WeekOffer
from csa_membership.weeks import repository as weeks
from csa_shared.auth import Principal, PrincipalKind, Role
from csa_shared.clock import luxembourg_today
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


DEMO_PROVIDER = "demo-sea-001"  # attendance's demo provider
DEMO_WEEKS = (
    ("Songs and stories: Lëtzebuergesch and Français", ("lb", "fr"), 3, 12),
    ("Playing outside in Deutsch, English and Português", ("de", "en", "pt"), 6, 8),
)


async def load(runtime: ServiceRuntime) -> None:
    await _load_family(runtime)
    await _load_weeks(runtime)


async def _load_weeks(runtime: ServiceRuntime) -> None:
    today = luxembourg_today()
    async with runtime.unit_of_work() as session:
        upcoming = await weeks.list_weeks(
            session, starting_from=today, provider_id=DEMO_PROVIDER, limit=1
        )
        if upcoming:
            return
        monday = today + timedelta(days=7 - today.weekday())
        for title, languages, weeks_ahead, capacity in DEMO_WEEKS:
            first = monday + timedelta(weeks=weeks_ahead - 1)
            offer = WeekOffer(
                provider_id=DEMO_PROVIDER,
                commune="Luxembourg",
                title=title,
                languages=languages,
                starts_on=first,
                ends_on=first + timedelta(days=4),
                min_age=1,
                max_age=4,
                capacity=capacity,
            )
            week_id = f"demo-week-{first.isoformat()}"
            await weeks.insert_week(session, week_id, offer, entered_by=DEMO_AGENT.subject)


async def _load_family(runtime: ServiceRuntime) -> None:
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
