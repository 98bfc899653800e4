"""Outbox relay: publishes committed rows in order, keeps them while the broker is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from csa_shared.bus import BusUnavailable, EventBus, Handler
from csa_shared.db import create_engine
from csa_shared.events import new_event
from csa_shared.messaging.outbox import OutboxRelay, add_to_outbox
from csa_shared.messaging.tables import outbox_table

TYPE = "lu.csa.attendance.presence.recorded.v1"


class FlakyBus(EventBus):
    """A bus that refuses the first ``failures`` publishes, then records what it gets."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.published: list[tuple[str, str, bytes]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, topic: str, key: str, value: bytes) -> None:
        if self.failures:
            self.failures -= 1
            raise BusUnavailable("broker down")
        self.published.append((topic, key, value))

    def subscribe(self, *, group: str, topics: list[str], handler: Handler) -> None: ...

    async def ping(self) -> bool:
        return True


def presence(n: int, child: str) -> object:
    return new_event(
        TYPE,
        source="/csa/attendance",
        subject=child,
        data={
            "presence_id": f"p-{n}",
            "provider_id": "sea",
            "provider_record_id": f"r-{n}",
            "child_id": child,
            "start": "2025-03-03T08:00:00",
            "end": "2025-03-03T09:00:00",
            "version": 1,
        },
    )


@pytest.fixture
async def outbox_db(tmp_path: Path):
    metadata = MetaData()
    outbox = outbox_table(metadata)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine, outbox
    await engine.dispose()


async def test_rows_are_published_in_commit_order_and_marked_sent(outbox_db) -> None:
    engine, outbox = outbox_db
    events = [presence(n, child=f"c-{n % 2}") for n in range(5)]
    async with engine.begin() as connection:
        for event in events:
            await add_to_outbox(connection, outbox, event)
    bus = FlakyBus()
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="attendance")

    assert await relay.publish_pending() == 5
    assert [key for _, key, _ in bus.published] == [e.key for e in events]
    assert await relay.pending() == 0
    assert await relay.publish_pending() == 0


async def test_broker_down_keeps_unsent_rows_and_a_retry_sends_each_once(outbox_db) -> None:
    engine, outbox = outbox_db
    async with engine.begin() as connection:
        for n in range(3):
            await add_to_outbox(connection, outbox, presence(n, "c"))
    bus = FlakyBus(failures=1)
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="attendance")

    with pytest.raises(BusUnavailable):
        await relay.publish_pending()
    assert await relay.pending() == 3

    assert await relay.publish_pending() == 3
    ids = [value for _, _, value in bus.published]
    assert len(ids) == len(set(ids)) == 3


async def test_rolled_back_transaction_leaves_nothing_to_publish(outbox_db) -> None:
    engine, outbox = outbox_db
    with pytest.raises(RuntimeError):
        async with engine.begin() as connection:
            await add_to_outbox(connection, outbox, presence(1, "c"))
            raise RuntimeError("business rule failed after the event was staged")
    async with engine.connect() as connection:
        assert (await connection.execute(select(outbox.c.id))).all() == []
