"""The test-support helpers: the broker launcher and throwaway PostgreSQL databases."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from csa_shared.testing import Broker, PostgresDatabases, TansuBroker, TestDatabase
from csa_shared.testing.broker import free_port, kafka_answers, kafka_broker


def _host_port(bootstrap: str) -> tuple[str, int]:
    host, port = bootstrap.rsplit(":", 1)
    return host, int(port)


@pytest.mark.kafka
def test_tansu_broker_answers_stops_answering_when_paused_and_dies_on_stop() -> None:
    broker = TansuBroker.start()
    try:
        assert broker.enable_idempotence is False and broker.can_pause
        assert kafka_answers(*_host_port(broker.bootstrap))
        broker.pause()
        assert not kafka_answers(*_host_port(broker.bootstrap), timeout_s=0.3)
        broker.resume()
        assert kafka_answers(*_host_port(broker.bootstrap))
    finally:
        broker.stop()
    assert broker.process is not None and broker.process.returncode is not None
    assert not kafka_answers(*_host_port(broker.bootstrap), timeout_s=0.3)


def test_kafka_answers_is_false_for_a_port_nobody_listens_on() -> None:
    assert kafka_answers("127.0.0.1", free_port(), timeout_s=0.3) is False


def test_configured_bootstrap_servers_are_used_as_an_external_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("KAFKA_ENABLE_IDEMPOTENCE", "false")
    with kafka_broker() as broker:
        assert broker == Broker("kafka-1:9092,kafka-2:9092", False, "external")
        assert broker.can_pause is False
        with pytest.raises(NotImplementedError):
            broker.pause()


@pytest.mark.postgres
async def test_throwaway_database_is_usable_by_psycopg2_and_asyncpg_then_dropped() -> None:
    databases = PostgresDatabases()
    with databases:
        database = databases.create()
        assert database.name.startswith("csa_test_")
        assert database.async_url.startswith("postgresql+asyncpg://")
        assert database.sync_url.startswith("postgresql+psycopg2://")
        connection = psycopg2.connect(database.url)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database()")
                assert cursor.fetchone() == (database.name,)
        finally:
            connection.close()
        engine = create_async_engine(database.async_url)
        try:
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT current_database()"))).scalar() == (
                    database.name
                )
        finally:
            await engine.dispose()
        assert database.name in databases.existing()
    assert database.name not in databases.existing()


@pytest.mark.postgres
def test_databases_of_dead_test_processes_are_swept() -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(finished.stdout)
    databases = PostgresDatabases(prefix="csa_sweepcheck")
    leftover = f"csa_sweepcheck_{dead_pid}_1"
    connection = psycopg2.connect(databases.base_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{leftover}"')
            cursor.execute(f'CREATE DATABASE "{leftover}"')
    finally:
        connection.close()
    with databases:
        mine = databases.create()
        assert leftover not in databases.existing()
        assert mine.name in databases.existing()


@pytest.mark.postgres
def test_pg_database_fixture_gives_a_fresh_database_each_call(
    pg_database: Callable[[], TestDatabase],
) -> None:
    first, second = pg_database(), pg_database()
    assert first.name != second.name
    for database in (first, second):
        connection = psycopg2.connect(database.url)
        connection.close()
