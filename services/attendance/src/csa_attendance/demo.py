"""Demo data for embedded mode: a provider, an education contract and a week of presences.

Idempotent: the provider and contract are created only when absent, and the presences go
through ingest under fixed record ids, so loading twice adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from csa_attendance.domain.contracts import BillingMode
from csa_attendance.presences.service import ingest
from csa_attendance.registry import repository as registry
from csa_attendance.registry.schemas import AddressIn, ContractIn, ProviderIn
from csa_attendance.registry.service import register, start
from csa_shared.auth import Principal, PrincipalKind, Role
from csa_shared.runtime import ServiceRuntime

DEMO_PROVIDER = "demo-sea-001"
DEMO_CHILD = "demo-child-001"
DEMO_CONTRACT = "demo-ec-001"
MONDAY = date(2025, 3, 3)
# The demo loader acts as a CAE agent (an in-process principal, no token involved).
LOADER = Principal(
    subject="demo-loader", kind=PrincipalKind.AGENT, roles=frozenset({Role.CAE_AGENT})
)


async def load(runtime: ServiceRuntime) -> None:
    async with runtime.unit_of_work() as session:
        if not await registry.load_providers(session, [DEMO_PROVIDER]):
            body = ProviderIn(
                provider_id=DEMO_PROVIDER,
                provider_type="sea_conventionne",
                effective_from=date(2025, 1, 6),
                name="Crèche Demo",
                address=AddressIn(
                    street="1 rue de la Gare", postcode="L-1234", locality="Luxembourg"
                ),
                commune="Luxembourg",
                hourly_price=Decimal("6.00"),
                meal_price=Decimal("4.50"),
                plurilingual=True,
            )
            await register(session, runtime.outbox, LOADER, body, source=runtime.source)
        if not await registry.contracts_of(session, contract_id=DEMO_CONTRACT):
            contract = ContractIn(
                contract_id=DEMO_CONTRACT,
                child_id=DEMO_CHILD,
                provider_id=DEMO_PROVIDER,
                start=date(2025, 1, 6),
                hours_per_week=Decimal("45"),
                hourly_price=Decimal("6.00"),
                billing_mode=BillingMode.PRESENCE,
            )
            await start(session, runtime.outbox, LOADER, contract, source=runtime.source)
        items = [
            {
                "kind": "presence",
                "record_id": f"demo-{day.isoformat()}",
                "child_id": DEMO_CHILD,
                "start": datetime.combine(day, time(8)).isoformat(),
                "end": datetime.combine(day, time(17)).isoformat(),
            }
            for day in (MONDAY + timedelta(days=i) for i in range(5))
        ]
        await ingest(session, runtime.outbox, DEMO_PROVIDER, items, source=runtime.source)
