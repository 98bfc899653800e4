"""Database round trips of billing's consumer per fetched batch of presence or meal events on
PostgreSQL (issue 24), counted on every pooled connection: the inbox claim, the upsert and
the read of the closed months are one statement between BEGIN and COMMIT, however many
presences or meals the batch holds; a redelivered batch changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from csa.services import definition
from csa_billing.tables import meal_projection, presence_projection
from csa_shared.bus import Message
from csa_shared.db import WARM_EXECUTIONS
from csa_shared.events import TOPICS, Envelope
from csa_shared.messaging.inbox import InboxConsumer
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.round_trips import prepared_on_each_connection, round_trips

from .town import meal, meal_corrected, presence

pytestmark = pytest.mark.postgres

GOAL = 3  # BEGIN, one statement, COMMIT per fetched batch (issue 24)
DAY = ("2025-03-03T08:00", "2025-03-03T12:00")


def consumer(runtime: ServiceRuntime) -> InboxConsumer:
    (found,) = [c for c in runtime.consumers if c.name == "billing.attendance"]
    return found


def messages(events: list[Envelope]) -> list[Message]:
    return [Message(TOPICS["attendance"], e.key, e.to_json()) for e in events]


def day(n: int) -> str:
    return f"2025-03-{3 + n:02d}"


async def projected(runtime: ServiceRuntime) -> list[tuple[str, int]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(presence_projection.c.presence_id, presence_projection.c.version)
        )
        return sorted((r.presence_id, r.version) for r in rows)


async def meals(runtime: ServiceRuntime) -> list[tuple[str, int, int]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(meal_projection.c.meal_id, meal_projection.c.version, meal_projection.c.count)
        )
        return sorted(tuple(r) for r in rows)


@pytest.mark.parametrize("size", [1, 12])
async def test_a_batch_of_meals_is_one_statement(billing, size: int) -> None:
    batch = [meal(f"child-{n}", "sea-mr", day(n)) for n in range(size)]
    corrections = [meal_corrected(e, 2, count=2) for e in batch]

    async with round_trips(billing) as sent:
        assert await consumer(billing).handle_batch(messages(batch))
    before = await meals(billing)
    async with round_trips(billing) as again:  # redelivered: claimed already, nothing changes
        assert await consumer(billing).handle_batch(messages(batch))
    unchanged = await meals(billing)
    async with round_trips(billing) as corrected:
        assert await consumer(billing).handle_batch(messages(corrections))

    for statements in (sent, again, corrected):
        assert len(statements) <= GOAL, statements
        assert sum("meal_projection" in s and "inbox" in s for s in statements) == 1, statements
    assert len(before) == size and unchanged == before
    assert {(version, count) for _, version, count in await meals(billing)} == {(2, 2)}


async def test_a_meal_twice_in_a_batch_takes_one_statement_more(billing) -> None:
    """(A stale version after the newer one changes nothing.)"""
    first = meal("child-a", "sea-mr", "2025-03-03")
    v2, v3 = meal_corrected(first, 2, count=2), meal_corrected(first, 3, count=3)
    other = meal("child-b", "sea-mr", "2025-03-04")

    async with round_trips(billing) as sent:
        assert await consumer(billing).handle_batch(messages([first, other, v3, first]))
    async with round_trips(billing) as stale:
        assert await consumer(billing).handle_batch(messages([v2]))

    assert len(sent) <= GOAL + 1, sent
    assert len(stale) <= GOAL, stale
    assert await meals(billing) == sorted(
        [(first.data["meal_id"], 3, 3), (other.data["meal_id"], 1, 1)]
    )


@pytest.mark.parametrize("size", [1, 12])
async def test_a_batch_of_presences_is_one_statement(billing, size: int) -> None:
    """(On a connection's first use too: every array is text[], which asyncpg encodes
    without introspecting types on the server.)"""
    batch = [
        presence(f"child-{n}", "sea-mr", f"{day(n)}T08:00", f"{day(n)}T12:00") for n in range(size)
    ]

    async with round_trips(billing) as sent:
        assert await consumer(billing).handle_batch(messages(batch))
    before = await projected(billing)
    async with round_trips(billing) as again:  # redelivered: claimed already, nothing changes
        assert await consumer(billing).handle_batch(messages(batch))

    assert len(sent) <= GOAL, sent
    assert sum("presence_projection" in s and "inbox" in s for s in sent) == 1, sent
    assert len(before) == size
    assert await projected(billing) == before and len(again) <= GOAL


async def test_a_presence_twice_in_a_batch_takes_one_statement_more(billing) -> None:
    first = presence("child-a", "sea-mr", "2025-03-03T08:00", "2025-03-03T12:00")
    data = first.data
    later = presence(
        "child-a",
        "sea-mr",
        "2025-03-03T09:00",
        "2025-03-03T12:00",
        presence_id=data["presence_id"],
        version=2,
        corrected=True,
        previous=(data["start"], data["end"]),
    )
    other = presence("child-b", "sea-mr", "2025-03-04T08:00", "2025-03-04T12:00")

    async with round_trips(billing) as sent:
        assert await consumer(billing).handle_batch(messages([first, other, later, first]))

    assert len(sent) <= GOAL + 1, sent
    assert await projected(billing) == sorted(
        [(data["presence_id"], 2), (other.data["presence_id"], 1)]
    )
    async with billing.sessions() as session:
        inbox = billing.inbox
        claimed = await session.scalar(select(func.count()).select_from(inbox))
    assert claimed == 3


async def test_the_warm_up_prepares_and_plans_the_batch_on_every_connection(
    pg_database_url: Callable[[], str],
) -> None:
    """(`CSA_DB_POOL_WARM`: before the first fetch, not on each connection's first batch.)"""
    settings = Settings(BILLING_DATABASE_URL=pg_database_url(), CSA_DB_POOL_WARM=True)
    runtime = definition("billing").build_runtime(settings)
    await runtime.migrate()
    await runtime.start(relay=False)
    try:
        async with round_trips(runtime) as sent:
            assert await consumer(runtime).handle_batch(messages([presence("c", "p", *DAY)]))
            assert await consumer(runtime).handle_batch(messages([meal("c", "p", DAY[0][:10])]))
        statements = [sql for sql in sent if "_projection" in sql]
        connections = await prepared_on_each_connection(runtime)
    finally:
        await runtime.stop()

    assert len(statements) == 2  # the presences' and the meals'
    assert len(connections) == settings.db_pool_size
    for prepared in connections:
        for statement in statements:
            assert prepared.get(statement, 0) >= WARM_EXECUTIONS
