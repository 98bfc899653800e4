"""Queries for the read endpoints: invoices of children, statements of a provider."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.tables import invoice, provider_terms, statement, statement_line
from csa_shared.rules.parameters import ProviderType


async def invoices_of(session: AsyncSession, children: list[str]) -> list[Any]:
    rows = await session.execute(
        select(invoice)
        .where(invoice.c.child_id.in_(children), invoice.c.status == "finalized")
        .order_by(invoice.c.month, invoice.c.seq)
    )
    return list(rows)


async def invoice_by_id(session: AsyncSession, invoice_id: str) -> Any:
    query = select(invoice).where(invoice.c.id == invoice_id, invoice.c.status == "finalized")
    return (await session.execute(query)).first()


async def statements_of(session: AsyncSession, provider_id: str) -> list[Any]:
    rows = await session.execute(
        select(statement).where(statement.c.provider_id == provider_id).order_by(statement.c.month)
    )
    return list(rows)


async def statement_lines(session: AsyncSession, month: str, provider_id: str) -> list[Any]:
    """The provider's lines of ``month`` with the number of the invoice each comes from."""
    rows = await session.execute(
        select(statement_line, invoice.c.series, invoice.c.seq)
        .join(invoice, invoice.c.id == statement_line.c.invoice_id, isouter=True)
        .where(statement_line.c.month == month, statement_line.c.provider_id == provider_id)
        .order_by(statement_line.c.child_id, statement_line.c.corrects_month, invoice.c.seq)
    )
    return list(rows)


async def state_totals(session: AsyncSession, month: str) -> list[Any]:
    rows = await session.execute(
        select(statement.c.provider_id, statement.c.commune, statement.c.state_total)
        .where(statement.c.month == month)
        .order_by(statement.c.provider_id)
    )
    return list(rows)


async def cached_pdf(session: AsyncSession, invoice_id: str) -> bytes | None:
    from csa_billing.tables import invoice_pdf

    query = select(invoice_pdf.c.content).where(invoice_pdf.c.invoice_id == invoice_id)
    return (await session.execute(query)).scalar_one_or_none()


async def provider_types(session: AsyncSession, ids: set[str]) -> dict[str, ProviderType]:
    """The type of each of the providers ``ids`` known to billing (a type never changes)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(provider_terms.c.provider_id, provider_terms.c.provider_type)
        .where(provider_terms.c.provider_id.in_(ids))
        .distinct()
    )
    return {pid: ProviderType(kind) for pid, kind in rows.all()}
