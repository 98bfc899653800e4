"""Invoices and statements for their readers: a parent's invoices (JSON, PDF rendered once
and kept), a provider's statements."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.domain.numbering import invoice_number
from csa_billing.invoices import reads
from csa_billing.invoices.pages import InvoicePage, InvoiceQuery, StatementPage, StatementQuery
from csa_billing.invoices.parties import invoice_parties
from csa_billing.invoices.pdf import render
from csa_billing.invoices.schemas import InvoiceOut, StatementLineOut, StatementOut
from csa_shared.auth import Principal
from csa_shared.errors import NotFound

ZERO = Decimal("0.00")


def _invoice_out(row: Any) -> InvoiceOut:
    return InvoiceOut(
        id=row.id,
        number=invoice_number(row.series, row.seq),
        month=row.month,
        corrects_month=row.corrects_month,
        kind="invoice" if row.month == row.corrects_month else "adjustment",
        original_invoice_id=row.original_invoice_id,
        child_id=row.child_id,
        provider_id=row.provider_id,
        language=row.language,
        renewal_date=row.renewal_date,
        parent_total=row.parent_total,
        state_total=row.state_total,
        lines=json.loads(row.lines),
    )


async def invoices_of(unit: AsyncSession, principal: Principal, query: InvoiceQuery) -> InvoicePage:
    """A page of the invoices of the children attached to ``principal`` (a parent)."""
    children = sorted(principal.children)
    if query.child_id is not None:
        children = [c for c in children if c == query.child_id]
    rows, next_cursor = await reads.invoice_page(unit, children, query)
    return InvoicePage(items=[_invoice_out(r) for r in rows], next_cursor=next_cursor)


async def _visible_invoice(unit: AsyncSession, invoice_id: str, principal: Principal) -> Any:
    row = await reads.invoice_by_id(unit, invoice_id)
    if row is None or not principal.can_see_child(row.child_id):
        raise NotFound(f"no invoice {invoice_id}")
    return row


async def invoice(unit: AsyncSession, invoice_id: str, principal: Principal) -> InvoiceOut:
    return _invoice_out(await _visible_invoice(unit, invoice_id, principal))


async def invoice_pdf(unit: AsyncSession, invoice_id: str, principal: Principal) -> bytes:
    """The invoice as PDF in the contract's language: rendered at its first read, then
    the same bytes at every read."""
    row = await _visible_invoice(unit, invoice_id, principal)
    cached = await reads.cached_pdf(unit, row.id)
    if cached is None:
        parties = await invoice_parties(unit, row)
        cached = render(row, invoice_number(row.series, row.seq), parties)
        await reads.keep_pdf(unit, row.id, cached)
    return cached


def _statement_line(row: Any) -> StatementLineOut:
    """What the family owes the provider for the child, beside the state's share."""
    return StatementLineOut(
        child_id=row.child_id,
        corrects_month=row.corrects_month,
        invoice_id=row.invoice_id,
        invoice_number=invoice_number(row.series, row.seq) if row.seq is not None else None,
        charged_amount=row.parent_amount + row.state_amount,
        parent_amount=row.parent_amount,
        state_amount=row.state_amount,
    )


async def statements_of(unit: AsyncSession, provider: str, query: StatementQuery) -> StatementPage:
    """A page of the provider's statements: per child the charged amount, the parent share
    and the state share."""
    rows, next_cursor = await reads.statement_page(unit, provider, query)
    out = []
    for s in rows:
        lines = [_statement_line(x) for x in await reads.statement_lines(unit, s.month, provider)]
        out.append(
            StatementOut(
                id=s.id,
                number=s.number,
                month=s.month,
                provider_id=s.provider_id,
                commune=s.commune,
                children=s.children,
                charged_total=sum((x.charged_amount for x in lines), ZERO),
                parent_total=sum((x.parent_amount for x in lines), ZERO),
                state_total=s.state_total,
                lines=lines,
            )
        )
    return StatementPage(items=out, next_cursor=next_cursor)
