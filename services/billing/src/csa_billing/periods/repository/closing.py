"""The period row of a close (its cursor, its status), the child-periods to re-bill, and
the finalization in one transaction: numbers, statements, totals, the invoices to announce."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.numbering import statement_number
from csa_billing.periods.repository.projections import dialect_of, provider_book
from csa_billing.projections.store import insert_for
from csa_billing.tables import (
    billing_period,
    child_period,
    invoice,
    number_counter,
    statement,
    statement_line,
)
from csa_shared.db import asyncpg_connection
from csa_shared.rules.periods import BillingPeriod, parse_month
from csa_shared.rules.periods import billing_period as period_of

ZERO = Decimal("0.00")


async def period_row(session: AsyncSession, month: str, *, lock: bool = False) -> Any:
    query = select(billing_period).where(billing_period.c.month == month)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def closing_months(session: AsyncSession) -> list[str]:
    """The periods recorded as closing and not closed yet (requested, or interrupted)."""
    query = select(billing_period.c.month).where(billing_period.c.status == "closing")
    return list((await session.scalars(query.order_by(billing_period.c.month))).all())


async def start_period(session: AsyncSession, period: BillingPeriod, children: int) -> None:
    statement = (
        insert_for(session, billing_period)
        .values(
            month=period.month,
            start=period.start,
            end=period.end,
            status="closing",
            cursor=None,
            children_total=children,
            children_done=0,
            started_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
    )
    await session.execute(statement)


async def commit_lazily(session: AsyncSession) -> None:
    """The transaction's commit returns before its WAL is on disk (PostgreSQL's
    ``synchronous_commit`` off, for this transaction only): a crash of the database may
    lose it whole, never part of it, and never after a later synchronous commit (the WAL
    is flushed in order). For a chunk of a close that only means billing it again on
    resume: nothing outside the database has seen it (the events are staged by the
    finalizing transaction, which commits synchronously). Saves a disk flush per chunk."""
    if dialect_of(session) == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))


async def advance(session: AsyncSession, month: str, cursor: str, done: int) -> None:
    await session.execute(
        update(billing_period)
        .where(billing_period.c.month == month)
        .values(cursor=cursor, children_done=billing_period.c.children_done + done)
    )


async def dirty_before(session: AsyncSession, month: str, limit: int) -> list[Any]:
    """Child-periods of earlier closed months flagged for re-billing."""
    rows = await session.execute(
        select(child_period)
        .where(child_period.c.dirty.is_(True), child_period.c.month < month)
        .order_by(child_period.c.month, child_period.c.child_id)
        .limit(limit)
    )
    return list(rows)


async def has_adjustment(session: AsyncSession, month: str, child_id: str, corrects: str) -> bool:
    found = await session.execute(
        select(invoice.c.id).where(
            invoice.c.month == month,
            invoice.c.child_id == child_id,
            invoice.c.corrects_month == corrects,
        )
    )
    return found.first() is not None


async def _next_numbers(session: AsyncSession, series: str, count: int) -> int:
    """Reserve ``count`` numbers of a series; returns the last number used before them."""
    await session.execute(
        insert_for(session, number_counter).values(series=series, last=0).on_conflict_do_nothing()
    )
    last = (
        await session.execute(
            select(number_counter.c.last).where(number_counter.c.series == series).with_for_update()
        )
    ).scalar_one()
    await session.execute(
        update(number_counter).where(number_counter.c.series == series).values(last=last + count)
    )
    return int(last)


async def finalize(session: AsyncSession, month: str) -> tuple[int, list[dict[str, Any]]]:
    """Number the drafts of ``month`` without gaps (series = the period's year, in child
    then provider order), issue one statement per provider and mark the period closed.
    Returns how many invoices the month has and the statements issued; ``issued_invoices``
    reads them back."""
    now = datetime.now(UTC)
    series = month[:4]
    # one pass over the month's invoices: the drafts to number, and the count and totals
    # (which numbering does not change)
    drafts, count, parent, state = (
        await session.execute(
            select(
                func.count().filter(invoice.c.status == "draft"),
                func.count(),
                func.coalesce(func.sum(invoice.c.parent_total), ZERO),
                func.coalesce(func.sum(invoice.c.state_total), ZERO),
            ).where(invoice.c.month == month)
        )
    ).one()
    base = await _next_numbers(session, series, drafts)
    await _number(session, month, series, base, now)
    statements = await _statements(session, month, now)
    await session.execute(
        update(billing_period)
        .where(billing_period.c.month == month)
        .values(status="closed", closed_at=now, parent_total=parent, state_total=state)
    )
    return int(count), statements


async def issued_invoices(
    session: AsyncSession, month: str, batch: int = 1000
) -> AsyncIterator[list[tuple[Any, list[str]]]]:
    """The invoices of ``month`` in number order, in batches, each with its providers (those
    of its statement lines: one per provider billed on it). Never the whole month at once."""
    after = -1
    while True:
        rows = list(
            await session.execute(
                select(*[c for c in invoice.c if c.name != "lines"])
                .where(invoice.c.month == month, invoice.c.seq > after)
                .order_by(invoice.c.seq)
                .limit(batch)
            )
        )
        if not rows:
            return
        providers: dict[str, list[str]] = {row.id: [] for row in rows}
        found = await session.execute(
            select(statement_line.c.invoice_id, statement_line.c.provider_id)
            .where(statement_line.c.invoice_id.in_(list(providers)))
            .order_by(statement_line.c.invoice_id, statement_line.c.provider_id)
        )
        for invoice_id, provider_id in found:
            providers[invoice_id].append(provider_id)
        yield [(row, providers[row.id]) for row in rows]
        after = rows[-1].seq


#: the invoice columns of ``issued_records``' tuples (then the providers), and of
#: ``invoice.issued``
ISSUED_FIELDS = (
    "id", "series", "seq", "month", "corrects_month", "child_id", "household_id",
    "original_invoice_id", "parent_total", "state_total", "provider_id",
)  # fmt: skip
_ISSUED_RECORDS = (  # the providers of each invoice: those of its statement lines, in order
    "SELECT i.id, i.series, i.seq, i.month, i.corrects_month, i.child_id, i.household_id, "
    "i.original_invoice_id, i.parent_total, i.state_total, i.provider_id, "
    "coalesce(p.providers, '{}') "
    "FROM invoice i LEFT JOIN (SELECT invoice_id, array_agg(provider_id ORDER BY provider_id) "
    "AS providers FROM statement_line WHERE month = $1 GROUP BY invoice_id) p "
    "ON p.invoice_id = i.id WHERE i.month = $1 ORDER BY i.seq"
)


async def issued_records(
    session: AsyncSession, month: str, batch: int = 2000
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """``issued_invoices`` as plain tuples (id, series, seq, month, corrects_month,
    child_id, household_id, original_invoice_id, parent_total, state_total, provider_id,
    providers),
    in batches. On PostgreSQL one query read through a cursor in the session's
    transaction (a batch per round trip, never the whole month at once)."""
    driver = await asyncpg_connection(session)
    if driver is None:
        async for rows in issued_invoices(session, month, batch):
            yield [(*(getattr(r, n) for n in ISSUED_FIELDS), ps) for r, ps in rows]
        return
    cursor = await driver.cursor(_ISSUED_RECORDS, month)
    while records := await cursor.fetch(batch):
        yield list(map(tuple, records))


async def _number(session: AsyncSession, month: str, series: str, base: int, now: datetime) -> None:
    """Drafts numbered base+1, base+2, ... in (child, corrected month, provider) order: one
    UPDATE. A child's invoices of several providers get consecutive numbers."""
    order = (
        select(
            invoice.c.id.label("draft"),
            func.row_number()
            .over(order_by=(invoice.c.child_id, invoice.c.corrects_month, invoice.c.provider_id))
            .label("n"),
        )
        .where(invoice.c.month == month, invoice.c.status == "draft")
        .subquery()
    )
    await session.execute(
        update(invoice)
        .where(invoice.c.id == order.c.draft)
        .values(series=series, seq=base + order.c.n, status="finalized", issued_at=now)
    )


async def _statements(session: AsyncSession, month: str, now: datetime) -> list[dict[str, Any]]:
    book = await provider_book(session)
    totals = await session.execute(
        select(
            statement_line.c.provider_id,
            func.count(func.distinct(statement_line.c.child_id)),
            func.sum(statement_line.c.state_amount),
        )
        .where(statement_line.c.month == month)
        .group_by(statement_line.c.provider_id)
        .order_by(statement_line.c.provider_id)
    )
    issued = []
    period = period_of(*parse_month(month))
    for provider_id, children, state in totals:
        terms = book.at(provider_id, period.end)  # the terms in force in the period
        row = {
            "id": str(uuid.uuid4()),
            "month": month,
            "provider_id": provider_id,
            "commune": terms.commune if terms else None,
            "number": statement_number(month, provider_id),
            "children": children,
            "state_total": state,
            "issued_at": now,
        }
        issued.append(row)
    if issued:
        await session.execute(insert_for(session, statement).on_conflict_do_nothing(), issued)
    return issued
