"""HTTP routes of periods: close one (a CAE agent), its status, progress and totals; each
calls one function of ``service``."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.invoices.schemas import CloseIn, PeriodOut
from csa_billing.periods import service
from csa_shared.auth import Principal, PrincipalKind, Role, require_kind, require_role
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["billing"])


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
    period, closed = await service.request_close(runtime_of(request), month, principal)
    if closed:
        response.status_code = 200
    else:
        response.headers["Location"] = str(request.url_for("get_period", month=period.month))
    return period


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
    return await service.period_status(unit, month, principal)
