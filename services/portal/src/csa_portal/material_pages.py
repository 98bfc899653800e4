"""Educational material suited to each attached child's age (seed 000), in the visitor's
language, from the catalogue's YAML files (``materials.py``).

The child's birth date is the one on its myCard, read from identity's export of the child
(the parent's own right of access); the contract in membership's API carries no birth date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from csa_portal.api import PublicApis
from csa_portal.invoice_pages import fetched
from csa_portal.materials import age_on, suited
from csa_portal.web import current_session, language_of, portal_of, render
from csa_shared.clock import luxembourg_today

router = APIRouter()


async def _cards(apis: PublicApis, token: str) -> list[dict[str, Any]]:
    """The myCard of each attached child (name, birth date); an erased card is left out."""
    profile = await apis.profile(token)
    found = []
    for child in profile.get("children", []):
        export = await apis.privacy_export(token, "identity", str(child["child_id"]))
        card = export.get("card") if isinstance(export, dict) else None
        if card and card.get("birth_date"):
            found.append(card)
    return found


@router.get("/materials")
async def materials(request: Request) -> Response:
    cards = await fetched(request, _cards)
    catalogue = portal_of(request).materials.items()
    language = language_of(request)
    today = luxembourg_today()
    children = []
    for card in cards:
        age = age_on(date.fromisoformat(str(card["birth_date"])[:10]), today)
        children.append(
            {
                "name": f"{card.get('first_name', '')} {card.get('surname', '')}".strip(),
                "age": age,
                "items": suited(catalogue, age, language),
            }
        )
    return render(request, "materials.html", current_session(request), children=children)
