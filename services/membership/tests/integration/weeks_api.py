"""Children with a contract in force, and week bodies, for the weeks tests (stored directly:
the contract's own flow is tested elsewhere; here only its status matters)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from csa_membership.tables import children, contracts, households
from csa_shared.clock import luxembourg_today
from csa_shared.runtime import ServiceRuntime

_serial = itertools.count(1)


def starts_on() -> date:
    return luxembourg_today() + timedelta(days=21)


def week_body(**changes: Any) -> dict[str, Any]:
    first = starts_on()
    body = {
        "provider_id": "prov-x",
        "commune": "Esch-sur-Alzette",
        "title": "Songs and stories in Lëtzebuergesch and French",
        "languages": ["lb", "fr"],
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(days=4)).isoformat(),
        "min_age": 1,
        "max_age": 4,
        "capacity": 10,
    }
    return body | changes


async def enrol(
    runtime: ServiceRuntime, child_ids: list[str], *, age: int = 3, status: str = "active"
) -> None:
    """Store each child, born ``age`` years before the test week, with a contract in
    ``status``."""
    now = datetime.now(UTC)
    born = starts_on() - timedelta(days=365 * age + 40)
    async with runtime.unit_of_work() as session:
        for child_id in child_ids:
            n = next(_serial)
            nin = f"{born:%Y%m%d}{n:05d}"
            await session.execute(
                children.insert().values(
                    child_id=child_id,
                    nin=nin,
                    first_name="Child",
                    last_name=str(n),
                    birth_date=born,
                    created_at=now,
                )
            )
            await session.execute(
                households.insert().values(
                    household_id=f"h-{child_id}", representative_nin=f"{n:013d}", created_at=now
                )
            )
            await session.execute(
                contracts.insert().values(
                    contract_id=f"k-{child_id}",
                    child_id=child_id,
                    household_id=f"h-{child_id}",
                    status=status,
                    filed_on=luxembourg_today(),
                    filed_by="agent",
                    terms={},
                    eligibility={},
                    updated_at=now,
                )
            )
