"""HTTP route of the current usage ("this month so far"), for the portal and mobile apps."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.usage import service
from csa_billing.usage.schemas import ChildUsage
from csa_shared.auth import Principal, PrincipalKind
from csa_shared.clock import luxembourg_today
from csa_shared.errors import NotFound, Unprocessable
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses
from csa_shared.http.unit_of_work import UNIT

router = APIRouter(tags=["usage"])
MAX_CHILDREN = 20


def visible_children(principal: Principal, asked: list[str]) -> list[str]:
    """The children asked for (a parent: all attached ones when none is named); a child the
    caller may not see is not found, as its invoices are (csa-rules.md §9)."""
    if not asked:
        if principal.kind is not PrincipalKind.PARENT:
            raise Unprocessable("name the child: ?child_id=…", code="child-id-required")
        asked = sorted(principal.children)
    children = sorted(set(asked))
    if len(children) > MAX_CHILDREN:
        raise Unprocessable(f"at most {MAX_CHILDREN} children at once", code="too-many-children")
    for child in children:
        if not principal.can_see_child(child):
            raise NotFound(f"no child {child}")
    return children


@router.get(
    "/usage",
    response_model=list[ChildUsage],
    responses=problem_responses(404, 422),
    summary="This month so far: the open billing period's running total per child and "
    "provider (hours by rule, parent and state amounts to date); a parent sees the attached "
    "children, a CAE agent any child",
)
async def current_usage(
    child_id: list[str] = Query(
        [], description="The children (repeatable); a parent's default: every attached child"
    ),
    unit: AsyncSession = UNIT,
    principal: Principal = Depends(authenticated),
) -> list[ChildUsage]:
    children = visible_children(principal, child_id)
    return await service.current_usage(
        unit, children, today=luxembourg_today(), now=datetime.now(UTC)
    )
