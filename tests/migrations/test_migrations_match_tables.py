"""Each service's Alembic head matches its SQLAlchemy tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from csa.services import definition
from csa_shared.db import create_engine, upgrade_to_head
from csa_shared.settings import SERVICES


async def _drift(url: str, service: str) -> list[object]:
    spec = definition(service)  # type: ignore[arg-type]
    await upgrade_to_head(url, spec.migrations)
    await upgrade_to_head(url, spec.migrations)  # a second run is a no-op
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), spec.metadata)
            )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_sqlite_head_matches_tables(service: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    assert await _drift(url, service) == []


@pytest.mark.postgres
@pytest.mark.parametrize("service", SERVICES)
async def test_postgres_head_matches_tables(service: str, pg_database_url) -> None:
    assert await _drift(pg_database_url(), service) == []
