"""Pytest fixtures for tests that need the real broker or real PostgreSQL.

* ``kafka_broker`` (session): a ``Broker`` with ``.bootstrap``, ``.enable_idempotence``,
  ``.can_pause`` and, for Tansu, ``pause()`` / ``resume()``.
* ``pg_database_url`` (function): call it for a fresh empty database; returns its plain
  ``postgresql://`` URL (``Settings`` picks asyncpg). Dropped after the test.
* ``pg_database`` (function): the same, returning a ``TestDatabase`` with ``url``,
  ``sync_url`` (psycopg2) and ``async_url`` (asyncpg).
* ``session_pg_database_url`` / ``session_pg_database``: the same, dropped at session end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg2
import pytest

from csa_shared.testing.broker import Broker
from csa_shared.testing.broker import kafka_broker as start_kafka_broker
from csa_shared.testing.postgres import PostgresDatabases, TestDatabase


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[Broker]:
    with start_kafka_broker() as broker:
        yield broker


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    try:
        yield databases
    finally:
        databases.close()


def _creator(databases: PostgresDatabases, made: list[TestDatabase]) -> TestDatabase:
    try:
        database = databases.create()
    except psycopg2.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {databases.base_url} is not reachable ({exc}); "
            "run scripts/ensure-postgres.sh or set TEST_DATABASE_URL",
            pytrace=False,
        )
    made.append(database)
    return database


@pytest.fixture
def pg_database(postgres_databases: PostgresDatabases) -> Iterator[Callable[[], TestDatabase]]:
    made: list[TestDatabase] = []
    yield lambda: _creator(postgres_databases, made)
    for database in made:
        postgres_databases.drop(database)


@pytest.fixture
def pg_database_url(pg_database: Callable[[], TestDatabase]) -> Callable[[], str]:
    return lambda: pg_database().url


@pytest.fixture(scope="session")
def session_pg_database(
    postgres_databases: PostgresDatabases,
) -> Callable[[], TestDatabase]:
    made: list[TestDatabase] = []
    return lambda: _creator(postgres_databases, made)


@pytest.fixture(scope="session")
def session_pg_database_url(
    session_pg_database: Callable[[], TestDatabase],
) -> Callable[[], str]:
    return lambda: session_pg_database().url
