"""Each child's contract (membership's public API with the parent's token): its terms, the
tariffs of its category and rank from the published barème, a reminder to renew from 30 days
before it ends, its PDF; and "My data": the GDPR export of every service as one download."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from csa_portal.api import PublicApis
from csa_portal.invoice_pages import fetched
from csa_portal.problems import N_
from csa_portal.web import current_session, language_of, render
from csa_shared.clock import luxembourg_today
from csa_shared.rules.categories import Category
from csa_shared.rules.tariffs import Tariff, tariff_for
from csa_shared.settings import SERVICES

router = APIRouter()

REMINDER_DAYS = 30
INCOME_BELOW = N_("Income below {factor} × the social minimum wage")
CATEGORY_FACTORS = {
    "lt_1_5": "1.5",
    "lt_2": "2",
    "lt_2_5": "2.5",
    "lt_3": "3",
    "lt_3_5": "3.5",
    "lt_4": "4",
    "lt_4_5": "4.5",
}
CATEGORIES = {
    "rmg": N_("REVIS (RMG) or child at risk of poverty"),
    "ge_4_5": N_("Income of 4.5 × the social minimum wage or more"),
    "undisclosed": N_("Income not declared"),
}
STATUSES = {
    "active": N_("valid"),
    "applied": N_("applied for, not yet signed"),
    "expired": N_("expired"),
    "terminated": N_("ended"),
}


def renewal_of(contract: dict[str, Any], today: date) -> dict[str, Any] | None:
    """When the contract ends, the day its renewal must start, and whether the reminder shows
    (from ``REMINDER_DAYS`` before the last valid day until it has passed)."""
    if not contract.get("valid_until") or contract.get("ended_on"):
        return None
    last_day = date.fromisoformat(str(contract["valid_until"]))
    return {
        "last_day": last_day,
        "renew_from": last_day + timedelta(days=1),
        "remind": today <= last_day <= today + timedelta(days=REMINDER_DAYS),
        "days_left": (last_day - today).days,
    }


def tariff_of(version: dict[str, Any]) -> Tariff | None:
    """The barème row of the contract's category and rank; None for one it does not know."""
    try:
        return tariff_for(Category(str(version["category"])), int(version["rank"]))
    except (KeyError, ValueError):
        return None


def terms_of(contract: dict[str, Any], today: date) -> dict[str, Any]:
    versions = contract.get("versions") or [{}]
    current = max(versions, key=lambda v: int(v.get("number", 0)))
    return {
        "contract": contract,
        "version": current,
        "tariff": tariff_of(current),
        "renewal": renewal_of(contract, today),
    }


@router.get("/contracts")
async def contracts(request: Request) -> Response:
    found = await fetched(request, PublicApis.contracts)
    today = luxembourg_today()
    return render(
        request,
        "contracts.html",
        current_session(request),
        contracts=[terms_of(c, today) for c in found],
        categories=CATEGORIES,
        factors=CATEGORY_FACTORS,
        income_below=INCOME_BELOW,
        statuses=STATUSES,
    )


def _safe(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", identifier)


@router.get("/contracts/{contract_id}.pdf")
async def contract_pdf(request: Request, contract_id: str) -> Response:
    language = language_of(request)
    pdf = await fetched(
        request, lambda apis, token: apis.contract_pdf(token, contract_id, language)
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="contract-{_safe(contract_id)}.pdf"'
        },
    )


# --- my data (GDPR art. 15) -----------------------------------------------------------------


@router.get("/my-data")
async def my_data(request: Request) -> Response:
    profile = await fetched(request, PublicApis.profile)
    return render(request, "my_data.html", current_session(request), profile=profile)


async def _export(apis: PublicApis, token: str, child_ids: list[str]) -> dict[str, Any]:
    """What each service holds about each child, by child then service."""
    return {
        child_id: {
            service: await apis.privacy_export(token, service, child_id) for service in SERVICES
        }
        for child_id in child_ids
    }


@router.get("/my-data.json")
async def my_data_download(request: Request) -> Response:
    profile = await fetched(request, PublicApis.profile)
    child_ids = [str(c["child_id"]) for c in profile.get("children", [])]
    children = await fetched(request, lambda apis, token: _export(apis, token, child_ids))
    document = {
        "exported_on": luxembourg_today().isoformat(),
        "account": profile,
        "children": children,
    }
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-csa-data.json"'},
    )
