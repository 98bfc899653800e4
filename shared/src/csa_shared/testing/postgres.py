"""Throwaway PostgreSQL databases for tests.

``PostgresDatabases`` connects to the server of ``TEST_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), creates databases named
``csa_test_<pid>_<n>`` and drops them all at ``close()``. Databases left behind by a test
process that died are dropped the first time a later run creates one.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import URL, make_url

DEFAULT_BASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}


def base_url_from_env() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_BASE_URL


@dataclass(frozen=True, slots=True)
class TestDatabase:
    __test__ = False  # not a pytest test class

    name: str
    url: str
    """Plain ``postgresql://`` URL: psycopg2/libpq, and what ``Settings`` accepts."""
    sync_url: str
    """SQLAlchemy URL with the psycopg2 driver."""
    async_url: str
    """SQLAlchemy URL with the asyncpg driver."""


@dataclass
class PostgresDatabases:
    base_url: str = field(default_factory=base_url_from_env)
    prefix: str = "csa_test"
    created: list[TestDatabase] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _swept: bool = False

    @property
    def _base(self) -> URL:
        return make_url(self.base_url).set(drivername="postgresql")

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[psycopg2.extensions.cursor]:
        base = self._base
        connection = psycopg2.connect(
            host=base.host or "127.0.0.1",
            port=base.port or 5432,
            user=base.username or "postgres",
            password=base.password or None,
            dbname=base.database or "postgres",
            connect_timeout=5,
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                yield cursor
        finally:
            connection.close()

    def create(self) -> TestDatabase:
        if not self._swept:
            self.drop_stale()
            self._swept = True
        name = f"{self.prefix}_{os.getpid()}_{next(self._counter)}"
        with self._cursor() as cursor:
            cursor.execute(_drop(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = self._base.set(database=name)
        database = TestDatabase(
            name=name,
            url=url.render_as_string(hide_password=False),
            sync_url=url.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False),
            async_url=url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False),
        )  # fmt: skip
        self.created.append(database)
        return database

    def drop(self, database: TestDatabase) -> None:
        with self._cursor() as cursor:
            cursor.execute(_drop(database.name))
        if database in self.created:
            self.created.remove(database)

    def close(self) -> None:
        for database in list(self.created):
            self.drop(database)

    def existing(self) -> list[str]:
        """Names of this prefix's databases on the server."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (self.prefix.replace("_", r"\_") + r"\_%",),
            )
            return [row[0] for row in cursor.fetchall()]

    def drop_stale(self) -> list[str]:
        """Drop databases of test processes on this machine that no longer run."""
        if self._base.host not in _LOCAL_HOSTS:
            return []
        pattern = re.compile(rf"^{re.escape(self.prefix)}_(\d+)_\d+$")
        stale = []
        for name in self.existing():
            match = pattern.match(name)
            if match and not _process_alive(int(match.group(1))):
                stale.append(name)
        with self._cursor() as cursor:
            for name in stale:
                cursor.execute(_drop(name))
        return stale

    def __enter__(self) -> PostgresDatabases:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _drop(name: str) -> sql.Composed:
    return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
