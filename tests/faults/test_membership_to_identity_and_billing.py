"""Membership events under faults reach identity and billing exactly once.

Contracts are filed, signed and amended through membership's API while, at seeded random
points, the broker is frozen, membership's outbox relay is killed, identity's and billing's
membership consumers are killed between their commit and their offset commit, and every
database connection of the three services is terminated. Once drained, identity holds exactly one
myCard (and one card letter) per child, and billing's contract projection holds each
contract exactly once per version, up to its latest version.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from csa.services import definition
from csa_billing.tables import contract_version
from csa_identity.tables import cards, letters
from csa_membership.domain.nin import make_nin
from csa_shared.events import TOPICS
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.postgres import TestDatabase
from csa_shared.testing.tokens import TestTokens
from tests.faults.chaos import (
    BROKER_OUTAGE,
    CONSUMER_KILL,
    DB_DROP,
    RELAY_RESTART,
    Chaos,
    ConsumerNode,
    eventually,
    plan,
    post_until_answered,
    service_node,
)
from tests.faults.conftest import SEEDS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

ESCH = "Esch-sur-Alzette"
HOME = {
    "line": "12, rue de la Gare",
    "postcode": "L-4001",
    "locality": ESCH,
    "country": "LU",
    "commune": ESCH,
}
CHILDREN = 8
FAULTS = {BROKER_OUTAGE: 2, RELAY_RESTART: 2, CONSUMER_KILL: 2, DB_DROP: 2}


def household(income: str) -> dict[str, Any]:
    member = {"role": "representative", "name": "Anna Muller"}
    return {
        "situation": "living_together",
        "members": [{**member, "incomes": [{"kind": "taxable", "monthly_amount": income}]}],
    }


def application(serial: int, seed: int) -> dict[str, Any]:
    """A resident's application; NINs unique per test run (serial and seed-dependent day)."""
    day = 1 + seed % 28
    return {
        "child": {
            "first_name": f"Mia{serial}",
            "last_name": "Muller",
            "nin": make_nin(date(2022, 5, day), serial).value,
        },
        "child_address": HOME,
        "representative": {
            "first_name": "Anna",
            "last_name": "Muller",
            "nin": make_nin(date(1988, 11, day), serial).value,
        },
        "language": "fr",
        "schooling": "none",
        "resident": True,
        "household": household("5200.00"),
        "siblings": [],
        "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
    }


@pytest.mark.parametrize("seed", SEEDS[:1])
async def test_signed_contracts_reach_identity_and_billing_exactly_once(
    seed: int, broker: Any, databases: Callable[[], TestDatabase], tmp_path: Path
) -> None:
    rng = random.Random(seed)
    dbs = {name: databases() for name in ("membership", "identity", "billing")}
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=broker.enable_idempotence,
        MEMBERSHIP_DATABASE_URL=dbs["membership"].url,
        IDENTITY_DATABASE_URL=dbs["identity"].url,
        BILLING_DATABASE_URL=dbs["billing"].url,
        CSA_VAR_DIR=str(tmp_path),
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    tokens = TestTokens()
    outcomes: Counter[str] = Counter()
    membership = definition("membership").build_runtime(settings)
    membership.token_verifier = tokens.verifier("membership")
    nodes = {
        name: service_node(definition(name), settings, outcomes, killed_topic=TOPICS["membership"])
        for name in ("identity", "billing")
    }
    runtimes = _Runtimes(membership, nodes)
    await membership.start(migrate=True)
    for node in nodes.values():
        await node.start(migrate=True)
    chaos = Chaos(rng, broker, [membership], [db.url for db in dbs.values()])
    chaos.nodes = list(nodes.values())
    agent = tokens.header(tokens.commune_agent("agent-esch-f", ESCH))
    latest: dict[str, int] = {}  # contract id -> latest version number
    child_of: dict[str, str] = {}  # contract id -> child id
    contracts: dict[int, str] = {}  # serial -> contract id
    try:
        app = definition("membership").create_app(membership, manage_lifecycle=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://membership", headers=agent
        ) as api:
            steps = operations(rng)
            schedule = plan(rng, len(steps), FAULTS)
            for step, (action, serial) in enumerate(steps):
                for kind in schedule.get(step, []):
                    await chaos.inject(kind)
                await perform(api, action, serial, seed, latest, child_of, contracts)
        await chaos.healed()
        await eventually(lambda: drained(runtimes, latest, child_of), timeout=90)
        cards_per_child = await per_child(runtimes["identity"], cards, set(child_of.values()))
        letters_per_child = await per_child(runtimes["identity"], letters, set(child_of.values()))
        versions = await billed_versions(runtimes["billing"], set(latest))
    except BaseException:
        await chaos.abort()
        raise
    finally:
        await membership.stop()
        for node in nodes.values():
            await node.stop()

    context = f"seed={seed} faults={dict(chaos.done)} journal={chaos.journal}"
    assert len(child_of) == CHILDREN
    assert cards_per_child == {child: 1 for child in child_of.values()}, context
    assert letters_per_child == {child: 1 for child in child_of.values()}, context
    assert versions == {c: list(range(1, n + 1)) for c, n in latest.items()}, context
    assert max(latest.values()) >= 2  # amendments were part of the stream
    assert chaos.done == FAULTS, context
    assert sum(node.kills for node in nodes.values()) == FAULTS[CONSUMER_KILL], context
    assert outcomes["processed"] >= len(child_of), context  # and redeliveries were ignored


class _Runtimes(dict[str, ServiceRuntime]):
    """``runtimes[name]``: a node's current runtime (a killed consumer's process restarts)."""

    def __init__(self, membership: ServiceRuntime, nodes: dict[str, ConsumerNode]) -> None:
        super().__init__(membership=membership)
        self._nodes = nodes

    def __getitem__(self, name: str) -> ServiceRuntime:
        if name in self._nodes:
            runtime = self._nodes[name].runtime
            assert runtime is not None
            return runtime
        return super().__getitem__(name)


def operations(rng: random.Random) -> list[tuple[str, int]]:
    """File and sign every child, then amend some of them (in a random order)."""
    steps = [(action, n) for n in range(CHILDREN) for action in ("file", "sign")]
    amendments = [("amend", rng.randrange(CHILDREN)) for _ in range(CHILDREN)]
    return steps + amendments


async def perform(
    api: httpx.AsyncClient,
    action: str,
    serial: int,
    seed: int,
    latest: dict[str, int],
    child_of: dict[str, str],
    contracts: dict[int, str],
) -> None:
    if action == "file":
        answer, _ = await post_until_answered(api, "/v1/contracts", application(serial, seed))
        assert answer.status_code == 201, answer.text
        filed = answer.json()
        contracts[serial] = filed["contract_id"]
        child_of[filed["contract_id"]] = filed["child_id"]
        return
    contract = contracts[serial]
    if action == "sign":
        url, body = f"/v1/contracts/{contract}/signature", None
    else:
        income = f"{2000 + 100 * latest[contract]}.00"
        url, body = (
            f"/v1/contracts/{contract}/amendments",
            {
                "changes": ["income"],
                "household": household(income),
            },
        )
    answer, _ = await post_until_answered(api, url, body)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    latest[contract] = max(v["number"] for v in found["versions"])


async def drained(
    runtimes: dict[str, ServiceRuntime], latest: dict[str, int], child_of: dict[str, str]
) -> bool:
    if await runtimes["membership"].relay.pending():
        return False
    children = set(child_of.values())
    issued = await per_child(runtimes["identity"], cards, children)
    versions = await billed_versions(runtimes["billing"], set(latest))
    return len(issued) == len(children) and all(
        versions.get(c, [0])[-1] == n for c, n in latest.items()
    )


async def per_child(runtime: ServiceRuntime, table: Any, children: set[str]) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(table.c.child_id, func.count())
            .where(table.c.child_id.in_(children))
            .group_by(table.c.child_id)
        )
        return {row[0]: int(row[1]) for row in rows}


async def billed_versions(runtime: ServiceRuntime, contracts: set[str]) -> dict[str, list[int]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(contract_version.c.contract_id, contract_version.c.version)
            .where(contract_version.c.contract_id.in_(contracts))
            .order_by(contract_version.c.contract_id, contract_version.c.version)
        )
        found: dict[str, list[int]] = {}
        for contract, version in rows:
            found.setdefault(contract, []).append(version)
        return found
