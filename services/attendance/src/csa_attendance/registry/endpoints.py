"""HTTP routes of the registry: /v1/providers and /v1/education-contracts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance import access
from csa_attendance.registry import repository, service
from csa_attendance.registry.schemas import (
    ContractEndIn,
    ContractIn,
    ContractOut,
    ContractPage,
    ProviderIn,
    ProviderOut,
    ProviderPage,
    TermsIn,
)
from csa_shared.auth import Principal, agent_sees_provider, same_commune
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.bounds import SafeText
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["registry"])


@router.post(
    "/providers",
    status_code=status.HTTP_201_CREATED,
    response_model=ProviderOut,
    responses=problem_responses(409, 422),
    summary="Register a provider (agents; parental assistants: the Dageselteren agency)",
)
async def register_provider(
    body: ProviderIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ProviderOut:
    runtime = runtime_of(request)
    return await service.register(unit, runtime.outbox, principal, body, source=runtime.source)


@router.post(
    "/providers/{provider_id}/versions",
    response_model=ProviderOut,
    responses=problem_responses(404, 422),
    summary="Change a provider's terms from a date (a new dated version)",
)
async def change_provider(
    provider_id: str,
    body: TermsIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ProviderOut:
    runtime = runtime_of(request)
    return await service.change(
        unit, runtime.outbox, principal, provider_id, body, source=runtime.source
    )


@router.get(
    "/providers/{provider_id}",
    response_model=ProviderOut,
    responses=problem_responses(404),
    summary="A provider with every dated version of its terms",
)
async def get_provider(
    provider_id: str,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ProviderOut:
    return service.provider_out(await service.visible_provider(unit, principal, provider_id))


@router.get(
    "/providers",
    response_model=ProviderPage,
    responses=problem_responses(422),
    summary="List the providers of the agent's scope (commune agents: their commune's)",
)
async def list_providers(
    commune: SafeText | None = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ProviderPage:
    access.require_agent(principal)
    listed = [
        pid
        for pid, kind, where in await repository.provider_index(unit)
        if agent_sees_provider(principal, kind, where)
        and (commune is None or same_commune(commune, where))
    ]
    ids, total = listed[offset : offset + limit], len(listed)
    found = await repository.load_providers(unit, ids)
    items = [service.provider_out(found[i]) for i in ids]
    return ProviderPage(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/education-contracts",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractOut,
    responses=problem_responses(404, 409, 422),
    summary="Start an education contract between a child and a provider",
)
async def start_contract(
    body: ContractIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ContractOut:
    runtime = runtime_of(request)
    return await service.start(unit, runtime.outbox, principal, body, source=runtime.source)


@router.post(
    "/education-contracts/{contract_id}/end",
    response_model=ContractOut,
    responses=problem_responses(404, 422),
    summary="Set or move an education contract's last day",
)
async def end_contract(
    contract_id: str,
    body: ContractEndIn,
    request: Request,
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ContractOut:
    runtime = runtime_of(request)
    return await service.end(
        unit, runtime.outbox, principal, contract_id, body.end, source=runtime.source
    )


@router.get(
    "/education-contracts",
    response_model=ContractPage,
    responses=problem_responses(422),
    summary="Education contracts (a provider: its own; agents: those of their scope's providers)",
)
async def list_contracts(
    provider_id: SafeText | None = Query(None, max_length=64),
    child_id: SafeText | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> ContractPage:
    if not access.is_agent(principal):
        provider_id = access.provider_of(principal)
    elif provider_id is not None:
        await service.require_agent_reads(unit, principal, provider_id)
    children = [child_id] if child_id else None
    everything = await repository.contracts_of(unit, provider_id=provider_id, child_ids=children)
    if access.is_agent(principal):
        everything = await service.of_visible_providers(unit, principal, everything)
    items = [service.contract_out(c) for c in everything[offset : offset + limit]]
    return ContractPage(items=items, total=len(everything), limit=limit, offset=offset)
