"""Alembic, driven from code: each service keeps its scripts in ``csa_<svc>/migrations``.

The scripts' ``env.py`` calls :func:`run_env`; the ``csa migrate`` command and the
embedded start-up call :func:`upgrade_to_head`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from csa_shared.db.engine import create_engine


def alembic_config(script_location: Path, version_table: str = "alembic_version") -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["version_table"] = version_table
    return config


async def upgrade_to_head(url: str, script_location: Path) -> None:
    """Apply every pending migration of one service's database."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, script_location)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, script_location: Path) -> None:
    config = alembic_config(script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's ``env.py``: online migrations on the connection we pass in."""
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `csa migrate <service>`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def lz4_available(bind: Connection) -> bool:
    """Whether columns can be compressed with LZ4 here (PostgreSQL 14 or later, built with
    it): a migration then chooses it for large values (`SET COMPRESSION lz4`)."""
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(
        text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    return bool(found)
