"""HTTP routes of the contracts module (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_membership.contracts import reads, service
from csa_membership.contracts.schemas import (
    AmendmentIn,
    ApplicationIn,
    ContractOut,
    ContractPage,
    ContractQuery,
    RenewalIn,
    SignIn,
    TerminationIn,
)
from csa_membership.contracts.views import contract_out
from csa_shared.auth import Principal
from csa_shared.clock import luxembourg_today
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(prefix="/contracts", tags=["contracts"])

Unit = Annotated[AsyncSession, UNIT]
Caller = Annotated[Principal, Depends(authenticated)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractOut,
    responses=problem_responses(409, 422),
    summary="File an application (commune agent: residents of the commune; CAE: non-residents)",
)
async def post_application(body: ApplicationIn, unit: Unit, caller: Caller) -> ContractOut:
    return contract_out(await service.file(unit, caller, body), caller)


@router.post(
    "/{contract_id}/signature",
    response_model=ContractOut,
    responses=problem_responses(404, 422),
    summary="Sign: active from the start of the billing period of the signature",
)
async def post_signature(
    contract_id: str,
    request: Request,
    unit: Unit,
    caller: Caller,
    body: SignIn | None = Body(
        None,
        openapi_examples={
            "signed today": {"value": {}},
            "dated": {"value": {"signed_on": "2025-03-12"}},
        },
    ),
) -> ContractOut:
    runtime = runtime_of(request)
    stored = await service.sign_contract(
        unit,
        runtime.outbox,
        caller,
        contract_id,
        signed_on=body.signed_on if body else None,
        source=runtime.source,
    )
    return contract_out(stored, caller)


@router.post(
    "/{contract_id}/amendments",
    response_model=ContractOut,
    responses=problem_responses(404, 422),
    summary="Record a change of situation as a new version",
)
async def post_amendment(
    contract_id: str, body: AmendmentIn, request: Request, unit: Unit, caller: Caller
) -> ContractOut:
    runtime = runtime_of(request)
    stored = await service.amend_contract(
        unit, runtime.outbox, caller, contract_id, body, source=runtime.source
    )
    return contract_out(stored, caller)


@router.post(
    "/{contract_id}/renewals",
    response_model=ContractOut,
    responses=problem_responses(404, 409, 422),
    summary="Renew for 12 billing periods (3 by exception) without a gap; eligibility re-checked",
)
async def post_renewal(
    contract_id: str,
    request: Request,
    unit: Unit,
    caller: Caller,
    body: RenewalIn | None = Body(
        None,
        openapi_examples={
            "unchanged situation": {"value": {}},
            "by exception, 3 periods": {"value": {"exception_reason": "family moving abroad"}},
        },
    ),
) -> ContractOut:
    runtime = runtime_of(request)
    stored = await service.renew_contract(
        unit, runtime.outbox, caller, contract_id, body or RenewalIn(), source=runtime.source
    )
    return contract_out(stored, caller)


@router.post(
    "/{contract_id}/termination",
    response_model=ContractOut,
    responses=problem_responses(404, 422),
    summary="End the contract early (no CSA after last_day)",
)
async def post_termination(
    contract_id: str, body: TerminationIn, request: Request, unit: Unit, caller: Caller
) -> ContractOut:
    runtime = runtime_of(request)
    stored = await service.terminate_contract(
        unit, runtime.outbox, caller, contract_id, body, source=runtime.source
    )
    return contract_out(stored, caller)


@router.get(
    "",
    response_model=ContractPage,
    responses=problem_responses(422),
    summary="Search contracts: agents see their commune/office, parents their children",
)
async def get_contracts(
    unit: Unit, caller: Caller, query: Annotated[ContractQuery, Depends()]
) -> ContractPage:
    found, next_cursor = await reads.search(unit, caller, query)
    return ContractPage(items=[contract_out(s, caller) for s in found], next_cursor=next_cursor)


@router.get(
    "/{contract_id}",
    response_model=ContractOut,
    responses=problem_responses(404),
    summary="One contract with its full version and validity history",
)
async def get_contract(contract_id: str, unit: Unit, caller: Caller) -> ContractOut:
    return contract_out(await reads.read(unit, caller, contract_id), caller)


@router.get(
    "/{contract_id}/document",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The contract as PDF"},
        **problem_responses(404, 422),
    },
    summary="The contract document (PDF) in lb, de, fr, en or pt",
)
async def get_document(
    contract_id: str,
    unit: Unit,
    caller: Caller,
    lang: Annotated[str | None, Query(description="default: the contract's language")] = None,
) -> Response:
    pdf = await reads.document_pdf(unit, caller, contract_id, lang=lang, on=luxembourg_today())
    headers = {"Content-Disposition": f'inline; filename="contract-{contract_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
