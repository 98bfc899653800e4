"""Attendance records under faults are billed exactly once at the period close.

A stream of presences is posted through the attendance API (PostgreSQL, the real broker)
while, at seeded random points, the broker is frozen, the outbox relay is killed, the
billing consumer dies between its commit and its offset commit, and every database
connection of both services is terminated. Once everything is drained the period is closed
through billing's API and each accepted presence must appear in exactly one invoice line,
with the hours and amounts of the records posted.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from csa.services import definition
from csa_billing.consumers import ATTENDANCE_GROUP, ATTENDANCE_HANDLERS
from csa_billing.periods import jobs
from csa_billing.tables import invoice, presence_projection
from csa_shared.events import TOPICS
from csa_shared.messaging.inbox import InboxConsumer
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
    KillableConsumer,
    budget,
    eventually,
    plan,
    post_until_answered,
)
from tests.faults.conftest import SEEDS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

MONTH = "2025-10"  # billing period 2025-10-06 .. 2025-11-02; no other test bills it
FIRST_DAY = date(2025, 10, 6)
SLOTS = (("08:00", "11:30"), ("13:00", "16:00"))  # 3.5 h + 3 h, never overlapping
PRICE = Decimal("7.50")
FAULTS = {BROKER_OUTAGE: 3, RELAY_RESTART: 3, CONSUMER_KILL: 2, DB_DROP: 3}


def weekdays() -> list[date]:
    days = [FIRST_DAY + timedelta(days=n) for n in range(26)]
    return [d for d in days if d.weekday() < 5]


def stream(children: list[str], rng: random.Random) -> list[dict[str, str]]:
    bodies = [
        {
            "record_id": f"{child}-{day.isoformat()}-{start}",
            "child_id": child,
            "start": f"{day.isoformat()}T{start}:00",
            "end": f"{day.isoformat()}T{end}:00",
        }
        for child in children
        for day in weekdays()
        for start, end in SLOTS
    ]
    rng.shuffle(bodies)
    return bodies


def hours(body: dict[str, str]) -> Decimal:
    start, end = (time.strptime(body[k][11:16], "%H:%M") for k in ("start", "end"))
    minutes = (end.tm_hour * 60 + end.tm_min) - (start.tm_hour * 60 + start.tm_min)
    return Decimal(minutes) / 60


async def register(
    client: httpx.AsyncClient, agent: dict[str, str], provider: str, children: list[str]
) -> None:
    body = {
        "provider_id": provider,
        "provider_type": "sea_commercial",
        "effective_from": "2025-01-06",
        "name": "Crèche Faults",
        "address": {"street": "1 rue de la Gare", "postcode": "L-1234", "locality": "Luxembourg"},
        "commune": "Luxembourg",
        "hourly_price": str(PRICE),
        "meal_price": "4.50",
        "plurilingual": False,
    }
    response = await client.post("/v1/providers", json=body, headers=agent)
    assert response.status_code == 201, response.text
    for child in children:
        contract = {
            "contract_id": f"ec-{child}",
            "child_id": child,
            "provider_id": provider,
            "start": "2025-01-06",
            "hours_per_week": "40",
            "hourly_price": str(PRICE),
        }
        response = await client.post("/v1/education-contracts", json=contract, headers=agent)
        assert response.status_code == 201, response.text


def billing_node(settings: Settings, outcomes: Counter[str]) -> ConsumerNode:
    def build() -> tuple[ServiceRuntime, KillableConsumer]:
        runtime = definition("billing").build_runtime(settings, subscribe=False)
        inbox = InboxConsumer(
            name=ATTENDANCE_GROUP,
            sessions=runtime.sessions,
            inbox=runtime.inbox,
            handlers=ATTENDANCE_HANDLERS,
        )
        consumer = KillableConsumer(inbox, outcomes)
        runtime.bus.subscribe(
            group=ATTENDANCE_GROUP, topics=[TOPICS["attendance"]], handler=consumer
        )
        return runtime, consumer

    return ConsumerNode(build)


async def projected(billing: ServiceRuntime, ids: set[str]) -> int:
    async with billing.sessions() as session:
        query = select(func.count()).where(presence_projection.c.presence_id.in_(ids))
        return int((await session.execute(query)).scalar_one())


@pytest.mark.parametrize("seed", SEEDS)
async def test_every_accepted_presence_is_billed_exactly_once(
    seed: int, broker: Any, databases: Callable[[], TestDatabase]
) -> None:
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]
    provider, children = f"sea-f{run}", [f"fc{run}-{n}" for n in range(5)]
    attendance_db, billing_db = databases(), databases()
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE=broker.enable_idempotence,
        ATTENDANCE_DATABASE_URL=attendance_db.url,
        BILLING_DATABASE_URL=billing_db.url,
        CSA_OUTBOX_POLL_SECONDS=0.05,
    )
    tokens = TestTokens()
    attendance = definition("attendance").build_runtime(settings)
    attendance.token_verifier = tokens.verifier("attendance")
    outcomes: Counter[str] = Counter()
    node = billing_node(settings, outcomes)
    chaos = Chaos(rng, broker, [attendance], [attendance_db.url, billing_db.url], [node])
    async with budget(60, chaos):
        chaos.phase = "starting attendance"
        await attendance.start(migrate=True)
        chaos.phase = "starting billing"
        billing = await node.start(migrate=True)
    bodies = stream(children, rng)
    schedule = plan(rng, len(bodies), FAULTS)
    accepted: dict[str, dict[str, str]] = {}
    failed_posts = 0
    try:
        async with budget(120, chaos):
            app = definition("attendance").create_app(attendance, manage_lifecycle=False)
            headers = tokens.header(tokens.provider(provider))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://attendance", headers=headers
            ) as client:
                agent = tokens.header(tokens.cae_agent("agent-f"))
                await register(client, agent, provider, children)
                for step, body in enumerate(bodies):
                    chaos.phase = f"posting {step}"
                    for kind in schedule.get(step, []):
                        await chaos.inject(kind)
                    answer, failures = await post_until_answered(client, "/v1/presences", body)
                    failed_posts += failures
                    assert answer.status_code in (200, 201), answer.text
                    accepted[answer.json()["id"]] = body
            chaos.phase = "healing"
            await chaos.healed()
            billing = node.runtime
            assert billing is not None
            ids = set(accepted)
            chaos.phase = "draining"
            state: dict[str, int] = {}
            try:
                await eventually(lambda: _drained(attendance, billing, ids, state), timeout=60)
            except AssertionError as exc:
                raise AssertionError(f"not drained: {state} of {len(ids)}") from exc
            chaos.phase = "closing"
            closed = await close(billing, tokens)
            assert closed.status_code == 200, closed.text
            lines = await care_lines(billing, children)
    except BaseException:
        await chaos.abort()
        raise
    finally:
        async with budget(30, chaos):
            chaos.phase = "stopping"
            await node.stop()
            await attendance.stop()

    context = f"seed={seed} faults={dict(chaos.done)} journal={chaos.journal}"
    billed = Counter(rid for line in lines for rid in line["record_ids"])
    assert len(accepted) == len(bodies), context
    assert not set(accepted) - set(billed), f"lost: {set(accepted) - set(billed)} {context}"
    assert not set(billed) - set(accepted), f"unknown: {set(billed) - set(accepted)} {context}"
    assert max(billed.values()) == 1, f"doubled: {billed.most_common(3)} {context}"
    expected_hours = sum((hours(b) for b in accepted.values()), Decimal(0))
    assert sum(Decimal(line["quantity"]) for line in lines) == expected_hours, context
    assert sum(Decimal(line["parent_amount"]) for line in lines) == expected_hours * PRICE
    assert chaos.done == Counter(FAULTS), context
    assert node.kills == FAULTS[CONSUMER_KILL]
    assert outcomes["duplicate"] >= 1, f"no redelivery was exercised: {outcomes} {context}"
    print(f"\n{context} outcomes={dict(outcomes)} failed_posts={failed_posts}")


async def close(billing: ServiceRuntime, tokens: TestTokens) -> httpx.Response:
    """Close the month through billing's API, as the CAE does."""
    billing.token_verifier = tokens.verifier("billing")
    app = definition("billing").create_app(billing, manage_lifecycle=False)
    headers = tokens.header(tokens.cae_agent("agent-f"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://billing"
    ) as api:
        started = await api.post(f"/v1/periods/{MONTH}/close", json={}, headers=headers)
        if started.status_code != 202:
            return started
        task = jobs.running(billing, MONTH)  # the close runs in the background
        if task is not None:
            await task
        return await api.get(f"/v1/periods/{MONTH}", headers=headers)


async def _drained(
    attendance: ServiceRuntime, billing: ServiceRuntime, ids: set[str], state: dict[str, int]
) -> bool:
    state["outbox pending"] = await attendance.relay.pending()
    state["projected"] = await projected(billing, ids)
    return state["outbox pending"] == 0 and state["projected"] == len(ids)


async def care_lines(billing: ServiceRuntime, children: list[str]) -> list[dict[str, Any]]:
    """Every care line of every invoice of the month for the test's children."""
    async with billing.sessions() as session:
        rows = (
            await session.execute(
                select(invoice.c.child_id, invoice.c.status, invoice.c.lines).where(
                    invoice.c.month == MONTH, invoice.c.child_id.in_(children)
                )
            )
        ).all()
    assert sorted(r.child_id for r in rows) == sorted(children)  # one invoice per child
    assert {r.status for r in rows} == {"finalized"}
    return [line for r in rows for line in json.loads(r.lines) if line["kind"] == "care"]
