"""The bulk write of an ingest: the rows of several tables (records and their outbox rows)
inside the request's transaction, by COPY or, for a few rows, one statement."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from csa_shared.db import asyncpg_connection

#: up to this many rows in all, one `WITH ... INSERT` statement rather than a COPY per table
FEW_ROWS = 32


async def insert_all(
    session: AsyncSession, writes: Sequence[tuple[Table, list[dict[str, Any]]]]
) -> None:
    """The rows of several tables (in this order), inside the request's transaction.

    PostgreSQL: COPY per table, or for a few rows in all one `WITH ... INSERT` statement
    (one round trip). Elsewhere (SQLite): one multi-row INSERT per table.
    """
    writes = [(table, rows) for table, rows in writes if rows]
    if not writes:
        return
    raw = await asyncpg_connection(session)
    if raw is None:
        for table, rows in writes:
            await session.execute(table.insert(), rows)
        return
    if sum(len(rows) for _, rows in writes) <= FEW_ROWS:
        # Named parameters, values passed apart: with one row per table (one POST) the
        # statement is the same on every request, so SQLAlchemy's compiled cache and
        # asyncpg's prepared statement are reused (with the values inline it was compiled
        # every time).
        params: dict[str, Any] = {}
        *first, (last, last_rows) = writes
        statement = insert(last).values(_bound(last, last_rows, "w", params))
        for n, (table, rows) in enumerate(first):
            ctes = insert(table).values(_bound(table, rows, f"w{n}_", params)).cte(f"w{n}")
            statement = statement.add_cte(ctes)
        await session.execute(statement, params)
        return
    for table, rows in writes:
        columns = list(rows[0])
        get = itemgetter(*columns)
        records = [get(row) for row in rows] if len(columns) > 1 else [(get(r),) for r in rows]
        await raw.copy_records_to_table(table.name, records=records, columns=columns)


def _bound(
    table: Table, rows: list[dict[str, Any]], prefix: str, params: dict[str, Any]
) -> dict[str, Any] | list[dict[str, Any]]:
    """`rows` as bind parameters named `<prefix><row>_<column>`; their values go to `params`.
    One row is given as a dict: SQLAlchemy caches a single-row VALUES, not a multi-row one."""
    out = []
    for i, row in enumerate(rows):
        values = {}
        for column, value in row.items():
            name = f"{prefix}{i}_{column}"
            values[column] = bindparam(name, type_=table.c[column].type)
            params[name] = value
        out.append(values)
    return out[0] if len(out) == 1 else out
