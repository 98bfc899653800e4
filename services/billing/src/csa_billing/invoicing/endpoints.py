"""HTTP routes: close a period, its status and totals, invoices and statements."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoicing import reads, service
from csa_billing.invoicing.finalize import invoice_number
from csa_billing.invoicing.pdf import render
from csa_billing.invoicing.schemas import (
    CloseIn,
    InvoiceOut,
    PeriodOut,
    ProviderTotal,
    StatementLineOut,
    StatementOut,
)
from csa_billing.tables import invoice_pdf
from csa_shared.auth import Principal, PrincipalKind, require_kind
from csa_shared.errors import NotFound
from csa_shared.http.app import runtime_of, session
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["billing"])


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {k: PROBLEM_RESPONSES[k] for k in (401, 403, *codes)}


async def _period_out(unit: AsyncSession, row: Any) -> PeriodOut:
    totals = await reads.state_totals(unit, row.month)
    communes: dict[str, Decimal] = defaultdict(Decimal)
    for t in totals:
        communes[t.commune or "unknown"] += t.state_total
    return PeriodOut(
        **{k: getattr(row, k) for k in PeriodOut.model_fields if hasattr(row, k)},
        providers=[
            ProviderTotal(provider_id=t.provider_id, commune=t.commune, state_total=t.state_total)
            for t in totals
        ],
        communes=dict(communes),
    )


@router.post(
    "/periods/{month}/close",
    response_model=PeriodOut,
    responses=problems(404, 409, 422),
    summary="Close a billing period (agent): invoices, statements, adjustments",
)
async def close(
    month: str,
    request: Request,
    body: CloseIn | None = None,
    principal: Principal = Depends(authenticated),
) -> PeriodOut:
    require_kind(principal, PrincipalKind.AGENT, PrincipalKind.SERVICE)
    runtime = runtime_of(request)
    options = service.CloseOptions(ignore_grace=bool(body and body.ignore_grace))
    await service.close_period(runtime, month, options)
    async with runtime.sessions() as unit:
        row = await service.period_status_in(unit, month)
        return await _period_out(unit, row)


@router.get(
    "/periods/{month}",
    response_model=PeriodOut,
    responses=problems(404, 422),
    summary="Status, progress and totals of a period (agent)",
)
async def get_period(
    month: str, unit: AsyncSession = Depends(session), principal: Principal = Depends(authenticated)
) -> PeriodOut:
    require_kind(principal, PrincipalKind.AGENT, PrincipalKind.SERVICE)
    row = await service.period_status_in(unit, month)
    if row is None:
        raise NotFound(f"period {month} has not been closed")
    return await _period_out(unit, row)


def _invoice_out(row: Any) -> InvoiceOut:
    return InvoiceOut(
        id=row.id,
        number=invoice_number(row.series, row.seq),
        month=row.month,
        corrects_month=row.corrects_month,
        kind="invoice" if row.month == row.corrects_month else "adjustment",
        original_invoice_id=row.original_invoice_id,
        child_id=row.child_id,
        language=row.language,
        renewal_date=row.renewal_date,
        parent_total=row.parent_total,
        state_total=row.state_total,
        lines=json.loads(row.lines),
    )


@router.get(
    "/invoices",
    response_model=list[InvoiceOut],
    responses=problems(),
    summary="Invoices of the parent's attached children",
)
async def list_invoices(
    unit: AsyncSession = Depends(session), principal: Principal = Depends(authenticated)
) -> list[InvoiceOut]:
    require_kind(principal, PrincipalKind.PARENT)
    return [_invoice_out(r) for r in await reads.invoices_of(unit, sorted(principal.children))]


async def _visible_invoice(unit: AsyncSession, invoice_id: str, principal: Principal) -> Any:
    row = await reads.invoice_by_id(unit, invoice_id)
    if row is None or not principal.can_see_child(row.child_id):
        raise NotFound(f"no invoice {invoice_id}")
    return row


async def _pdf(unit: AsyncSession, row: Any) -> Response:
    cached = await reads.cached_pdf(unit, row.id)
    if cached is None:
        cached = render(row, invoice_number(row.series, row.seq))
        await unit.execute(
            invoice_pdf.insert().values(
                invoice_id=row.id, content=cached, rendered_at=datetime.now(UTC)
            )
        )
    return Response(cached, media_type="application/pdf")


@router.get(
    "/invoices/{invoice_id}.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **problems(404)},
    summary="An invoice as PDF in the contract's language",
)
async def invoice_as_pdf(
    invoice_id: str,
    unit: AsyncSession = Depends(session),
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _pdf(unit, await _visible_invoice(unit, invoice_id, principal))


@router.get(
    "/invoices/{invoice_id}",
    response_model=InvoiceOut,
    responses={200: {"content": {"application/pdf": {}}}, **problems(404)},
    summary="One invoice (JSON, or PDF with ?format=pdf)",
)
async def get_invoice(
    invoice_id: str,
    format: str = Query("json", pattern="^(json|pdf)$"),
    unit: AsyncSession = Depends(session),
    principal: Principal = Depends(authenticated),
) -> Any:
    row = await _visible_invoice(unit, invoice_id, principal)
    if format == "pdf":
        return await _pdf(unit, row)
    return _invoice_out(row)


@router.get(
    "/statements",
    response_model=list[StatementOut],
    responses=problems(),
    summary="The calling provider's statements",
)
async def list_statements(
    unit: AsyncSession = Depends(session), principal: Principal = Depends(authenticated)
) -> list[StatementOut]:
    require_kind(principal, PrincipalKind.PROVIDER)
    provider = principal.provider_id or ""
    out = []
    for s in await reads.statements_of(unit, provider):
        lines = await reads.statement_lines(unit, s.month, provider)
        out.append(
            StatementOut(
                id=s.id,
                number=s.number,
                month=s.month,
                provider_id=s.provider_id,
                commune=s.commune,
                children=s.children,
                state_total=s.state_total,
                lines=[
                    StatementLineOut(
                        child_id=x.child_id,
                        corrects_month=x.corrects_month,
                        state_amount=x.state_amount,
                    )
                    for x in lines
                ],
            )
        )
    return out
