"""HTTP routes of invoices and statements: each calls one function of ``service``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoices import service, statement_documents
from csa_billing.invoices.pages import InvoicePage, InvoiceQuery, StatementPage, StatementQuery
from csa_billing.invoices.schemas import InvoiceOut
from csa_shared.auth import Principal, PrincipalKind, require_kind
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["billing"])


@router.get(
    "/invoices",
    response_model=InvoicePage,
    responses=problem_responses(422),
    summary="Invoices of the parent's attached children, a page at a time",
)
async def list_invoices(
    query: Annotated[InvoiceQuery, Depends()],
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> InvoicePage:
    require_kind(principal, PrincipalKind.PARENT)
    return await service.invoices_of(unit, principal, query)


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
    pdf = await service.invoice_pdf(unit, invoice_id, principal)
    return Response(pdf, media_type="application/pdf")


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
    if format == "pdf":
        pdf = await service.invoice_pdf(unit, invoice_id, principal)
        return Response(pdf, media_type="application/pdf")
    return await service.invoice(unit, invoice_id, principal)


@router.get(
    "/statements",
    response_model=StatementPage,
    responses=problem_responses(422),
    summary="The calling provider's statements, a page at a time: per child the charged "
    "amount, the parent share and the state share",
)
async def list_statements(
    query: Annotated[StatementQuery, Depends()],
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> StatementPage:
    require_kind(principal, PrincipalKind.PROVIDER)
    return await service.statements_of(unit, principal.provider_id or "", query)


@router.get(
    "/statements/{statement_id}.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(403, 404)},
    summary="A provider's statement as PDF (PDF/A-2b) in the language asked: the provider's "
    "own, or any for a CAE agent",
    response_class=Response,
)
async def statement_as_pdf(
    statement_id: str,
    lang: Literal["lb", "de", "fr", "en", "pt"] = Query(
        "fr", description="the document's language"
    ),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> Response:
    pdf = await statement_documents.statement_pdf(unit, principal, statement_id, lang)
    return Response(pdf, media_type="application/pdf")
