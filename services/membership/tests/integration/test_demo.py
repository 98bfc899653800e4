"""The demo family loads once: a second load adds nothing."""

from __future__ import annotations

import pytest
from membership_api import snapshot

from csa_membership import demo
from csa_membership.contracts import repository

pytestmark = pytest.mark.postgres


async def test_demo_loads_one_signed_contract_idempotently(membership) -> None:
    await demo.load(membership)
    first = await snapshot(membership)
    await demo.load(membership)
    assert await snapshot(membership) == first
    async with membership.sessions() as session:
        contracts = await repository.of_child(session, demo.DEMO_CHILD)
    assert [s.contract.status.value for s in contracts] == ["active"]
    assert len(first["outbox"]) == 2  # contract.signed + child.registered


async def test_demo_offers_two_plurilingual_weeks_once(membership) -> None:
    from csa_membership.weeks import repository as weeks
    from csa_shared.clock import luxembourg_today

    await demo.load(membership)
    await demo.load(membership)
    async with membership.sessions() as session:
        found = await weeks.list_weeks(
            session, starting_from=luxembourg_today(), provider_id=demo.DEMO_PROVIDER, limit=10
        )
    assert [(w.offer.min_age, w.offer.max_age, w.places_left) for w in found] == [
        (1, 4, 12),
        (1, 4, 8),
    ]
