"""Queries of the invoices' and statements' readers: invoices of children, statements of a
provider, the PDFs kept, a period's totals per provider."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoices.pages import InvoiceQuery, StatementQuery
from csa_billing.projections.store import insert_for
from csa_billing.tables import (
    child_projection,
    invoice,
    invoice_pdf,
    provider_terms,
    statement,
    statement_line,
)
from csa_shared.http.pagination import Key, fetch_page
from csa_shared.rules.parameters import ProviderType

INVOICE_KEYS = (Key(invoice.c.month), Key(invoice.c.seq), Key(invoice.c.id))
STATEMENT_KEYS = (Key(statement.c.month), Key(statement.c.id))


async def invoice_page(
    session: AsyncSession, children: list[str], query: InvoiceQuery
) -> tuple[list[Any], str | None]:
    """The issued invoices of ``children`` (and of the query's filters), one page."""
    found = select(invoice).where(invoice.c.child_id.in_(children), invoice.c.status == "finalized")
    if query.month is not None:
        found = found.where(invoice.c.month == query.month)
    if query.provider_id is not None:
        found = found.where(invoice.c.provider_id == query.provider_id)
    return await fetch_page(session, found, INVOICE_KEYS, query)


async def invoice_by_id(session: AsyncSession, invoice_id: str) -> Any:
    query = select(invoice).where(invoice.c.id == invoice_id, invoice.c.status == "finalized")
    return (await session.execute(query)).first()


async def statement_page(
    session: AsyncSession, provider_id: str, query: StatementQuery
) -> tuple[list[Any], str | None]:
    """The provider's statements (of the query's month), one page."""
    found = select(statement).where(statement.c.provider_id == provider_id)
    if query.month is not None:
        found = found.where(statement.c.month == query.month)
    return await fetch_page(session, found, STATEMENT_KEYS, query)


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
    query = select(invoice_pdf.c.content).where(invoice_pdf.c.invoice_id == invoice_id)
    return (await session.execute(query)).scalar_one_or_none()


async def keep_pdf(session: AsyncSession, invoice_id: str, content: bytes) -> None:
    """Keep an invoice's first rendering; two first reads at once render the same bytes,
    and the second insert is a no-op."""
    await session.execute(
        insert_for(session, invoice_pdf)
        .values(invoice_id=invoice_id, content=content, rendered_at=datetime.now(UTC))
        .on_conflict_do_nothing()
    )


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


async def statement_by_id(session: AsyncSession, statement_id: str) -> Any:
    return (await session.execute(select(statement).where(statement.c.id == statement_id))).first()


async def display_names(session: AsyncSession, child_ids: set[str]) -> dict[str, str]:
    """Each child's name as membership's projection has it (the statement lists them)."""
    query = select(child_projection.c.child_id, child_projection.c.display_name).where(
        child_projection.c.child_id.in_(child_ids)
    )
    return {str(k): str(v) for k, v in (await session.execute(query)).all()}
