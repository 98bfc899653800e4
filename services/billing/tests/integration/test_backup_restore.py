"""The restore drill on PostgreSQL: close a month, `csa backup`'s dump, drop the database,
restore, and every invoice and statement is identical."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from csa.backup import backup, restore
from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.tables import invoice, statement
from csa_shared.runtime import ServiceRuntime

from .town import deliver, town

pytestmark = pytest.mark.postgres


async def _rows(runtime: ServiceRuntime, table: Any) -> list[tuple[Any, ...]]:
    async with runtime.sessions() as session:
        primary = list(table.primary_key.columns)
        return [tuple(r) for r in (await session.execute(select(table).order_by(*primary))).all()]


def _drop_and_create(url: str) -> None:
    """The disaster: the database is gone, an empty one of the same name takes its place."""
    parsed = make_url(url)
    admin = psycopg2.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
        dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{parsed.database}"')
    admin.close()


async def test_restore_drill_every_invoice_identical_after_the_database_was_dropped(
    billing: ServiceRuntime, tmp_path: Path
) -> None:
    url = billing.settings.database_url("billing")
    await deliver(billing, town())
    await close_period(billing, "2025-03", CloseOptions(today=date(2025, 4, 30)))
    invoices, statements = await _rows(billing, invoice), await _rows(billing, statement)
    assert len(invoices) == 5 and statements
    await billing.engine.dispose()

    files = await asyncio.to_thread(
        backup, {"billing": billing.settings.database_url("billing")}, tmp_path
    )
    await asyncio.to_thread(_drop_and_create, url)
    restored = await asyncio.to_thread(
        restore, {"billing": billing.settings.database_url("billing")}, tmp_path
    )

    assert (files, restored) == ({"billing": "billing.dump"}, ["billing"])
    assert await _rows(billing, invoice) == invoices
    assert await _rows(billing, statement) == statements
    await billing.engine.dispose()
