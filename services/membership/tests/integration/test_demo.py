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
