"""Finalization of a period in one transaction: numbers, statements, totals, events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoicing import loading
from csa_billing.projections.store import insert_for
from csa_billing.tables import billing_period, invoice, number_counter, statement, statement_line

ZERO = Decimal("0.00")


def invoice_number(series: str, seq: int) -> str:
    return f"{series}-{seq:07d}"


def statement_number(month: str, provider_id: str) -> str:
    return f"S{month}-{provider_id}"


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


async def finalize(session: AsyncSession, month: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """Number the drafts of ``month`` without gaps (series = the period's year, in child
    order), issue one statement per provider and mark the period closed. Returns the
    finalized invoices."""
    now = datetime.now(UTC)
    series = month[:4]
    drafts = (
        (
            await session.execute(
                select(invoice.c.id)
                .where(invoice.c.month == month, invoice.c.status == "draft")
                .order_by(invoice.c.child_id, invoice.c.corrects_month)
            )
        )
        .scalars()
        .all()
    )
    base = await _next_numbers(session, series, len(drafts))
    await _number(session, list(drafts), series, base, now)
    statements = await _statements(session, month, now)
    parent, state = (
        await session.execute(
            select(
                func.coalesce(func.sum(invoice.c.parent_total), ZERO),
                func.coalesce(func.sum(invoice.c.state_total), ZERO),
            ).where(invoice.c.month == month)
        )
    ).one()
    await session.execute(
        update(billing_period)
        .where(billing_period.c.month == month)
        .values(status="closed", closed_at=now, parent_total=parent, state_total=state)
    )
    rows = await session.execute(
        select(invoice).where(invoice.c.month == month).order_by(invoice.c.seq)
    )
    return list(rows), statements


async def _number(
    session: AsyncSession, drafts: list[str], series: str, base: int, now: datetime
) -> None:
    for start in range(0, len(drafts), 1000):
        chunk = drafts[start : start + 1000]
        cases = {draft: base + start + i + 1 for i, draft in enumerate(chunk)}
        await session.execute(
            update(invoice)
            .where(invoice.c.id.in_(chunk))
            .values(
                series=series,
                seq=case(cases, value=invoice.c.id),
                status="finalized",
                issued_at=now,
            )
        )


async def _statements(session: AsyncSession, month: str, now: datetime) -> list[dict[str, Any]]:
    book = await loading.provider_book(session)
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
    for provider_id, children, state in totals:
        terms = book.latest(provider_id)
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
