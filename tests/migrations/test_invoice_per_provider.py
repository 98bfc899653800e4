"""Billing's migration to one invoice per child and provider (0006): invoices issued before
it keep their numbers, totals and lines; one billing a single provider gets that provider,
one billing several keeps provider_id NULL (the legacy marker). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from csa.services import definition
from csa_billing.tables import metadata
from csa_shared.db import create_engine
from csa_shared.db.migrations import alembic_config

BEFORE = "0005"
ISSUED = datetime(2025, 4, 12, 10, tzinfo=UTC)


def _migrate(connection: Connection, step: str, revision: str) -> None:
    config = alembic_config(definition("billing").migrations)
    config.attributes["connection"] = connection
    getattr(command, step)(config, revision)


def _invoice(invoice_id: str, child: str, seq: int, parent: str, state: str) -> dict[str, object]:
    return {
        "id": invoice_id,
        "month": "2025-03",
        "child_id": child,
        "household_id": None,
        "corrects_month": "2025-03",
        "original_invoice_id": None,
        "status": "finalized",
        "series": "2025",
        "seq": seq,
        "contract_id": None,
        "language": "fr",
        "renewal_date": None,
        "parent_total": Decimal(parent),
        "state_total": Decimal(state),
        "lines": "[]",
        "created_at": ISSUED,
        "issued_at": ISSUED,
    }


def _line(invoice_id: str, child: str, provider: str, parent: str, state: str) -> dict[str, object]:
    return {
        "month": "2025-03",
        "provider_id": provider,
        "invoice_id": invoice_id,
        "child_id": child,
        "corrects_month": "2025-03",
        "parent_amount": Decimal(parent),
        "state_amount": Decimal(state),
    }


def _insert(connection: Connection, table: str, rows: list[dict[str, object]]) -> None:
    for row in rows:  # through the table's types (money, times), only the row's columns
        connection.execute(metadata.tables[table].insert().values(**row))


def _invoices(connection: Connection) -> list[tuple[object, ...]]:
    found = connection.execute(
        text("SELECT id, series, seq, parent_total, state_total FROM invoice ORDER BY seq")
    )
    return [(r[0], r[1], r[2], f"{r[3]:.2f}", f"{r[4]:.2f}") for r in found]


def _round_trip(connection: Connection) -> None:
    _migrate(connection, "upgrade", BEFORE)
    _insert(
        connection,
        "invoice",
        [
            _invoice("two", "child-a", 1, "30.00", "70.00"),
            _invoice("one", "child-b", 2, "5.00", "15.00"),
            _invoice("none", "child-c", 3, "0.00", "0.00"),
        ],
    )
    _insert(
        connection,
        "statement_line",
        [
            _line("two", "child-a", "sea-1", "10.00", "50.00"),
            _line("two", "child-a", "ap-1", "20.00", "20.00"),
            _line("one", "child-b", "sea-1", "5.00", "15.00"),
        ],
    )
    before = _invoices(connection)

    _migrate(connection, "upgrade", "head")

    assert _invoices(connection) == before  # numbers and totals as issued
    providers = dict(connection.execute(text("SELECT id, provider_id FROM invoice")).all())
    assert providers == {"two": None, "one": "sea-1", "none": None}
    # from now on a child has an invoice per provider in a month
    april = {"month": "2025-04", "corrects_month": "2025-04"}
    _insert(
        connection,
        "invoice",
        [
            {**_invoice("sea", "child-b", 4, "1.00", "2.00"), **april, "provider_id": "sea-1"},
            {**_invoice("ap", "child-b", 5, "1.00", "2.00"), **april, "provider_id": "ap-1"},
        ],
    )
    connection.execute(text("DELETE FROM invoice WHERE month = '2025-04'"))

    _migrate(connection, "downgrade", BEFORE)
    assert _invoices(connection) == before
    _migrate(connection, "upgrade", "head")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'billing.sqlite'}"
    url: str = request.getfixturevalue("pg_database_url")()
    return url


async def test_invoices_issued_before_the_split_are_kept(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_round_trip)
    finally:
        await engine.dispose()
