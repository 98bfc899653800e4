"""Outbox relay: publishes committed rows (of one message, or a batch's) in order and
deletes them, keeps them while the broker is down, and runs one pass at a time across
replicas (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text

from csa_shared.bus import BusUnavailable, EventBus, Handler
from csa_shared.db import create_engine
from csa_shared.events import new_event
from csa_shared.messaging.outbox import OutboxRelay, add_to_outbox, outbox_batch_rows, outbox_row
from csa_shared.messaging.tables import batch_row, outbox_table, row_messages

TYPE = "lu.csa.attendance.presence.recorded.v1"


class FlakyBus(EventBus):
    """A bus that refuses the first ``failures`` publishes (after ``accept_first`` it took),
    then records what it gets; ``pause`` seconds per publish (an answering broker)."""

    def __init__(self, failures: int = 0, *, accept_first: int = 0, pause: float = 0) -> None:
        self.failures = failures
        self.accept_first = accept_first
        self.pause = pause
        self.published: list[tuple[str, str, bytes]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, topic: str, key: str, value: bytes) -> None:
        await asyncio.sleep(self.pause)
        if self.accept_first:
            self.accept_first -= 1
        elif self.failures:
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


async def stage(engine, outbox, events) -> None:
    async with engine.begin() as connection:
        for event in events:
            await add_to_outbox(connection, outbox, event)


async def test_rows_are_published_in_commit_order_then_deleted(outbox_db) -> None:
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
    async with engine.connect() as connection:
        assert (await connection.execute(select(outbox.c.id))).all() == []
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


async def test_rows_acknowledged_before_a_failure_go_and_the_rest_are_sent_next(
    outbox_db,
) -> None:
    engine, outbox = outbox_db
    events = [presence(n, "c") for n in range(5)]
    await stage(engine, outbox, events)
    bus = FlakyBus(failures=1, accept_first=2)
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="attendance")

    with pytest.raises(BusUnavailable):
        await relay.publish_pending()
    assert (len(bus.published), await relay.pending()) == (2, 3)

    assert await relay.publish_pending() == 3
    assert [value for _, _, value in bus.published] == [e.to_json() for e in events]


@pytest.fixture
async def postgres_outbox(pg_database_url):
    """One service database on PostgreSQL and two engines on it: two replicas' pools."""
    metadata = MetaData()
    outbox = outbox_table(metadata)
    url = pg_database_url()
    engines = [create_engine(url), create_engine(url)]
    async with engines[0].begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engines, outbox
    for engine in engines:
        await engine.dispose()


@pytest.mark.postgres
async def test_two_replicas_relays_publish_each_row_once_in_order(postgres_outbox) -> None:
    engines, outbox = postgres_outbox
    events = [presence(n, child="c") for n in range(40)]
    await stage(engines[0], outbox, events)
    bus = FlakyBus(pause=0.001)  # passes long enough to meet the other replica's
    relays = [
        OutboxRelay(engine=e, outbox=outbox, bus=bus, service="attendance", batch_size=7)
        for e in engines
    ]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.pending():
            await relay.publish_pending()

    await asyncio.gather(*(drain(r) for r in relays))

    assert [value for _, _, value in bus.published] == [e.to_json() for e in events]


@pytest.mark.postgres
async def test_a_failed_pass_lets_the_other_replica_publish(postgres_outbox) -> None:
    engines, outbox = postgres_outbox
    await stage(engines[0], outbox, [presence(n, "c") for n in range(3)])
    down = OutboxRelay(engine=engines[0], outbox=outbox, bus=FlakyBus(failures=9), service="a")
    with pytest.raises(BusUnavailable):
        await down.publish_pending()

    bus = FlakyBus()
    other = OutboxRelay(engine=engines[1], outbox=outbox, bus=bus, service="a")
    assert await other.publish_pending() == 3
    assert len(bus.published) == 3


# A replica in its own process, its broker round trip long enough to be frozen in.
FROZEN_REPLICA = """
import asyncio, sys
from sqlalchemy import MetaData
from csa_shared.bus.memory import InProcessBus
from csa_shared.db import create_engine
from csa_shared.messaging.outbox import OutboxRelay
from csa_shared.messaging.tables import outbox_table

class MidPass(InProcessBus):
    async def publish_many(self, messages):
        print("publishing", flush=True)
        await asyncio.sleep(3600)
        return 0

async def main():
    engine = create_engine(sys.argv[1])
    relay = OutboxRelay(engine=engine, outbox=outbox_table(MetaData()), bus=MidPass(),
                        service="a", lease_seconds=float(sys.argv[2]))
    await relay.publish_pending()

asyncio.run(main())
"""


@pytest.mark.postgres
async def test_a_replica_frozen_mid_pass_loses_its_lease_and_the_other_publishes(
    postgres_outbox,
) -> None:
    engines, outbox = postgres_outbox
    url = engines[0].url.render_as_string(hide_password=False)
    events = [presence(n, "c") for n in range(5)]
    await stage(engines[0], outbox, events)
    replica = await asyncio.create_subprocess_exec(
        sys.executable, "-c", FROZEN_REPLICA, url, "1.5", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert replica.stdout is not None
        async with asyncio.timeout(30):
            assert await replica.stdout.readline() == b"publishing\n"
        os.kill(replica.pid, signal.SIGSTOP)  # frozen with its pass's transaction open
        bus = FlakyBus()
        other = OutboxRelay(engine=engines[1], outbox=outbox, bus=bus, service="a")
        assert await other.publish_pending() == 0  # the lease is not over yet

        async with asyncio.timeout(20):
            while not await other.publish_pending():
                await asyncio.sleep(0.2)
        assert [value for _, _, value in bus.published] == [e.to_json() for e in events]
        assert await other.pending() == 0
    finally:
        os.kill(replica.pid, signal.SIGKILL)
        await replica.wait()


@pytest.mark.postgres
async def test_a_broker_round_trip_longer_than_the_lease_fails_the_pass(postgres_outbox) -> None:
    engines, outbox = postgres_outbox
    await stage(engines[0], outbox, [presence(n, "c") for n in range(2)])
    slow = OutboxRelay(
        engine=engines[0], outbox=outbox, bus=FlakyBus(pause=5), service="a", lease_seconds=0.5
    )
    with pytest.raises(BusUnavailable, match="lease"):
        await slow.publish_pending()
    assert await slow.pending() == 2


async def stage_batched(engine, outbox, events) -> None:
    """`events` as `outbox_batch_rows` writes them: one row per run of one topic."""
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            outbox.insert(), outbox_batch_rows([outbox_row(e, now) for e in events])
        )


def test_runs_of_one_topic_become_one_row_each_and_a_lone_event_its_own_row() -> None:
    now = datetime.now(UTC)
    a, b, c, d = (outbox_row(presence(n, f"c{n}"), now) for n in range(1, 5))
    rows = outbox_batch_rows([a, b, c | {"topic": "csa.membership.events"}, d])

    assert [r.get("message_count", 1) for r in rows] == [2, 1, 1]
    first = rows[0]
    assert (first["event_id"], first["message_key"]) == (a["event_id"], "c1")
    assert row_messages(first["topic"], first["message_key"], first["payload"],
                        first["message_keys"]) == [
        (a["topic"], "c1", a["payload"]),
        (b["topic"], "c2", b["payload"]),
    ]  # fmt: skip
    assert rows[1:] == [c | {"topic": "csa.membership.events"}, d]


def test_a_document_with_a_raw_newline_cannot_join_a_batch_row() -> None:
    with pytest.raises(ValueError, match="raw newline"):
        batch_row("t", ["e1", "e2"], ["k1", "k2"], ['{"a": 1}', '{\n"b": 2}'])


async def test_batch_rows_are_published_message_by_message_in_order(outbox_db) -> None:
    engine, outbox = outbox_db
    events = [presence(n, child=f"c-{n % 3}") for n in range(4)]
    await stage(engine, outbox, events[:1])
    await stage_batched(engine, outbox, events[1:])
    bus = FlakyBus()
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="attendance")

    assert await relay.pending() == 4  # messages, in 2 rows
    assert await relay.publish_pending() == 4
    assert bus.published == [("csa.attendance.events", e.key, e.to_json()) for e in events]
    assert await relay.pending() == 0


async def test_a_pass_takes_whole_rows_up_to_its_size_and_at_least_one(outbox_db) -> None:
    engine, outbox = outbox_db
    events = [presence(n, "c") for n in range(7)]
    await stage_batched(engine, outbox, events[:3])  # rows of 3, 3, then 1 message
    await stage_batched(engine, outbox, events[3:6])
    await stage(engine, outbox, events[6:])
    bus = FlakyBus()
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="a", batch_size=4)
    small = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="a", batch_size=2)

    # 0 and 3 messages before rows 1 and 2 (< 4): both; 6 before row 3
    assert await relay.publish_pending() == 6
    assert await small.publish_pending() == 1
    assert [v for _, _, v in bus.published] == [e.to_json() for e in events]

    await stage_batched(engine, outbox, events[:3])
    assert await small.publish_pending() == 3  # a row larger than the pass goes whole


async def test_a_batch_row_partly_acknowledged_stays_and_is_sent_again_whole(outbox_db) -> None:
    engine, outbox = outbox_db
    events = [presence(n, "c") for n in range(5)]
    await stage(engine, outbox, events[:1])
    await stage_batched(engine, outbox, events[1:])
    bus = FlakyBus(failures=1, accept_first=3)  # the lone row, then 2 of the batch row's 4
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, service="attendance")

    with pytest.raises(BusUnavailable):
        await relay.publish_pending()
    assert await relay.pending() == 4  # the lone row went; the batch row is kept whole

    assert await relay.publish_pending() == 4
    sent = [v for _, _, v in bus.published]
    assert sent == [e.to_json() for e in events[:3]] + [e.to_json() for e in events[1:]]


class CutOffBus(FlakyBus):
    """Acknowledges, but the first time only after every other session of the database was
    ended by the server (the pass's connection among them: a restart, a failover)."""

    def __init__(self, admin) -> None:
        super().__init__()
        self.admin = admin

    async def publish_many(self, messages: list[tuple[str, str, bytes]]) -> int:
        if self.admin is not None:
            async with self.admin.connect() as connection:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            self.admin = None
        return await super().publish_many(messages)


@pytest.mark.postgres
async def test_a_connection_lost_mid_pass_is_not_reused_and_the_next_pass_sends_all(
    postgres_outbox,
) -> None:
    engines, outbox = postgres_outbox
    events = [presence(n, "c") for n in range(3)]
    await stage(engines[0], outbox, events)
    bus = CutOffBus(admin=engines[1])
    relay = OutboxRelay(engine=engines[0], outbox=outbox, bus=bus, service="a")
    with pytest.raises(Exception):  # noqa: B017 (whatever the driver says)
        await relay.publish_pending()  # sent, but the delete cannot reach the server

    assert await relay.publish_pending() == 3  # again (copies consumers' inboxes drop)
    assert [value for _, _, value in bus.published] == [e.to_json() for e in events] * 2
    assert await relay.pending() == 0
