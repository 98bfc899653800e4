"""Test support: a real Kafka-protocol broker, throwaway PostgreSQL databases, fixtures.

Load the fixtures in a ``conftest.py`` with
``pytest_plugins = ["csa_shared.testing.pytest_plugin"]``.
"""

from csa_shared.testing.broker import Broker, TansuBroker, kafka_broker
from csa_shared.testing.postgres import PostgresDatabases, TestDatabase

__all__ = ["Broker", "PostgresDatabases", "TansuBroker", "TestDatabase", "kafka_broker"]
