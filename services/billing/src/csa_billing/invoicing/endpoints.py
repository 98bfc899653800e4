"""HTTP routes: close a period, its status and totals, invoices and statements."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoicing import jobs, reads, service
from csa_billing.invoicing.finalize import invoice_number
from csa_billing.invoicing.parties import invoice_parties
from csa_billing.invoicing.pdf import render
from csa_billing.invoicing.schemas import (
    CloseIn,
    InvoiceOut,
    PeriodOut,
    ProviderTotal,
    StatementLineOut,
    StatementOut,
)
from csa_billing.invoicing.settings import closes_in_this_process
from csa_billing.projections.store import insert_for
from csa_billing.tables import invoice_pdf
from csa_shared.auth import (
    Principal,
    PrincipalKind,
    Role,
    agent_sees_provider,
    require_kind,
    require_role,
)
from csa_shared.errors import NotFound
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["billing"])


async def _period_out(unit: AsyncSession, row: Any, principal: Principal) -> PeriodOut:
    totals = await reads.state_totals(unit, row.month)
    if principal.kind is not PrincipalKind.SERVICE:  # an agent: its scope's providers only
        types = await reads.provider_types(unit, {t.provider_id for t in totals})
        totals = [
            t
            for t in totals
            if t.provider_id in types
            and agent_sees_provider(principal, types[t.provider_id], t.commune or "")
        ]
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


def require_period_staff(principal: Principal) -> None:
    """Periods are watched by internal services and the scheme's agents (commune, CAE,
    Dageselteren), each agent seeing the totals of its scope's providers; other agent
    roles, such as the privacy officer, have no say in them."""
    require_kind(principal, PrincipalKind.AGENT, PrincipalKind.SERVICE)
    if principal.kind is PrincipalKind.AGENT:
        require_role(principal, Role.COMMUNE_AGENT, Role.CAE_AGENT, Role.DAGESELTEREN_AGENT)


PERIOD_CLOSER = Role.CAE_AGENT


def require_period_closer(principal: Principal) -> None:
    """Closing a period bills the whole country and can never be undone: a national act,
    of the CAE's agents over the API (``PERIOD_CLOSER``) and of the scheduled job
    (``csa billing close``, without a token); never of a commune or the agency."""
    require_kind(principal, PrincipalKind.AGENT)
    require_role(principal, PERIOD_CLOSER)


@router.post(
    "/periods/{month}/close",
    response_model=PeriodOut,
    status_code=202,
    responses={
        200: {"model": PeriodOut, "description": "The period was already closed (idempotent)"},
        202: {
            "description": "The close runs in the background: poll the period's Location "
            "(GET /v1/periods/{month}) for children_done / children_total and the status",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        **problem_responses(404, 409, 422),
    },
    summary="Close a billing period (CAE agent), once its grace days have passed",
)
async def close(
    month: str,
    request: Request,
    response: Response,
    body: CloseIn | None = Body(None, openapi_examples={"after the grace period": {"value": {}}}),
    principal: Principal = Depends(authenticated),
) -> PeriodOut:
    require_period_closer(principal)
    runtime = runtime_of(request)
    options = service.CloseOptions()
    row = await service.open_period(runtime, month, options)
    if row.status == "closed":
        response.status_code = 200
    else:
        if closes_in_this_process():
            jobs.start(runtime, row.month, options)
        response.headers["Location"] = str(request.url_for("get_period", month=row.month))
    async with runtime.sessions() as unit:
        return await _period_out(unit, row, principal)


@router.get(
    "/periods/{month}",
    response_model=PeriodOut,
    responses=problem_responses(404, 422),
    summary="Status, progress and totals of a period (agent: its scope's providers)",
)
async def get_period(
    month: str, unit: AsyncSession = UNIT, principal: Principal = Depends(authenticated)
) -> PeriodOut:
    require_period_staff(principal)
    row = await service.period_status_in(unit, month)
    if row is None:
        raise NotFound(f"period {month} has not been closed")
    return await _period_out(unit, row, principal)


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


@router.get(
    "/invoices",
    response_model=list[InvoiceOut],
    responses=problem_responses(),
    summary="Invoices of the parent's attached children",
)
async def list_invoices(
    unit: AsyncSession = UNIT, principal: Principal = Depends(authenticated)
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
        parties = await invoice_parties(unit, row)
        cached = render(row, invoice_number(row.series, row.seq), parties)
        # two first reads at once render the same bytes: the second insert is a no-op
        await unit.execute(
            insert_for(unit, invoice_pdf)
            .values(invoice_id=row.id, content=cached, rendered_at=datetime.now(UTC))
            .on_conflict_do_nothing()
        )
    return Response(cached, media_type="application/pdf")


@router.get(
    "/invoices/{invoice_id}.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(404)},
    summary="An invoice as PDF in the contract's language",
)
async def invoice_as_pdf(
    invoice_id: str,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _pdf(unit, await _visible_invoice(unit, invoice_id, principal))


@router.get(
    "/invoices/{invoice_id}",
    response_model=InvoiceOut,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(404)},
    summary="One invoice (JSON, or PDF with ?format=pdf)",
)
async def get_invoice(
    invoice_id: str,
    format: str = Query("json", pattern="^(json|pdf)$"),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> Any:
    row = await _visible_invoice(unit, invoice_id, principal)
    if format == "pdf":
        return await _pdf(unit, row)
    return _invoice_out(row)


@router.get(
    "/statements",
    response_model=list[StatementOut],
    responses=problem_responses(),
    summary="The calling provider's statements: per child the charged amount, the parent "
    "share and the state share",
)
async def list_statements(
    unit: AsyncSession = UNIT, principal: Principal = Depends(authenticated)
) -> list[StatementOut]:
    require_kind(principal, PrincipalKind.PROVIDER)
    provider = principal.provider_id or ""
    out = []
    for s in await reads.statements_of(unit, provider):
        lines = [_statement_line(x) for x in await reads.statement_lines(unit, s.month, provider)]
        out.append(
            StatementOut(
                id=s.id,
                number=s.number,
                month=s.month,
                provider_id=s.provider_id,
                commune=s.commune,
                children=s.children,
                charged_total=sum((x.charged_amount for x in lines), Decimal("0.00")),
                parent_total=sum((x.parent_amount for x in lines), Decimal("0.00")),
                state_total=s.state_total,
                lines=lines,
            )
        )
    return out


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
