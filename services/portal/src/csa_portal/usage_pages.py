"""This month so far: the open billing period's running total of each attached child (hours
by rule, what the parent and the state pay to date), billing's current usage read with the
parent's token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csa_portal.api import PublicApis
from csa_portal.invoice_pages import RULES, child_names, fetched
from csa_portal.web import current_session, render

router = APIRouter()


@router.get("/usage")
async def usage(request: Request) -> Response:
    found = await fetched(request, PublicApis.usage)
    return render(
        request,
        "usage.html",
        current_session(request),
        children=found,
        names=await child_names(request),
        rules=RULES,
    )
