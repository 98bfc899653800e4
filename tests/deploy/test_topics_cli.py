"""`csa topics` against the local broker (Tansu, a fresh one: no test made its topics yet):
every event topic with the partitions asked for, not the broker's default; again: nothing
changes; no broker: a one-line failure, not a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer
from typer.testing import CliRunner

from csa.cli import app
from csa_shared.events import TOPICS
from csa_shared.settings import get_settings
from csa_shared.testing import TansuBroker
from csa_shared.testing.broker import free_port

runner = CliRunner()


@pytest.fixture(autouse=True)
def settings_read_afresh() -> Iterator[None]:
    """The CLI reads the environment this test sets, not settings an earlier test cached."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def partitions_of(bootstrap: str) -> dict[str, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer.topics()
        return {t: len(consumer.partitions_for_topic(t) or ()) for t in TOPICS.values()}
    finally:
        await consumer.stop()


@pytest.mark.kafka
def test_topics_creates_every_event_topic_with_its_partitions_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = TansuBroker.start()
    try:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap)
        assert asyncio.run(partitions_of(broker.bootstrap)) == dict.fromkeys(TOPICS.values(), 0)

        first = runner.invoke(app, ["topics", "--partitions", "5"])
        again = runner.invoke(app, ["topics", "--partitions", "2"])

        assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
        assert asyncio.run(partitions_of(broker.bootstrap)) == dict.fromkeys(TOPICS.values(), 5)
    finally:
        broker.stop()


def test_topics_without_a_broker_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")
    result = runner.invoke(app, ["topics"])
    assert result.exit_code == 1
    assert result.output.startswith("topics:") and "Traceback" not in result.output
