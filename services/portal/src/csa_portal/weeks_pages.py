"""Plurilingual education weeks (seed 000, children aged 1 to 4), per child: the weeks on
offer that the child's age fits with their places left, sign-up and cancellation (plain POST
forms with the CSRF token), and the child's sign-ups. Membership's public API decides
everything (the age band on the week's first day, the contract, the places): the page only
shows its answers and says its refusals in the visitor's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from csa_portal.api import ApiError, PublicApis
from csa_portal.i18n import LANGUAGE_NAMES, translator
from csa_portal.invoice_pages import NotSignedIn, fetched
from csa_portal.problems import MESSAGES, N_, message_of
from csa_portal.web import current_session, language_of, posted_form, redirect, render

router = APIRouter()

# membership's problem codes → what the parent reads
REFUSALS = {
    "week-full": N_("This week is full: every place is taken."),
    "too-old": N_("Your child is too old for this week (its age on the first day counts)."),
    "too-young": N_("Your child is too young for this week (its age on the first day counts)."),
    "no-contract-in-force": N_("Your child needs a valid CSA contract to take part."),
    "week-started": N_("This week has already started: sign-ups and cancellations are closed."),
    "week-not-found": N_("This week is no longer on offer."),
    "sign-up-not-found": N_("Your child is not signed up for this week."),
    "forbidden": MESSAGES["child.not_attached"],
}
DONE = {
    "signed_up": N_("Your child is signed up for the week."),
    "cancelled": N_("The sign-up is cancelled; the place is free again."),
}


def child_view(
    child_id: str,
    name: str,
    offered: list[dict[str, Any]],
    on_offer: int,
    sign_ups: list[dict[str, Any]],
) -> dict[str, Any]:
    """One child's part of the page: each week its age fits, marked ``signed_up``, ``full``
    or ``open``; its sign-ups; whether weeks are on offer but none for its age."""
    standing = {s["week_id"] for s in sign_ups if s.get("status") == "signed_up"}
    weeks = []
    for week in offered:
        if week["week_id"] in standing:
            state = "signed_up"
        elif int(week.get("places_left", 0)) <= 0:
            state = "full"
        else:
            state = "open"
        weeks.append(week | {"state": state})
    return {
        "child_id": child_id,
        "name": name,
        "weeks": weeks,
        "sign_ups": sign_ups,
        "none_for_age": not offered and on_offer > 0,
    }


async def _children(apis: PublicApis, token: str) -> list[dict[str, Any]]:
    """Each child with a contract (name from it), its weeks and sign-ups."""
    contracts = await apis.contracts(token)
    names = {
        str(c["child_id"]): f"{c.get('child_first_name', '')} {c.get('child_last_name', '')}"
        for c in contracts
    }
    on_offer = len(await apis.weeks(token))
    return [
        child_view(
            child_id,
            name.strip(),
            await apis.weeks(token, quote(child_id, safe="")),
            on_offer,
            await apis.week_sign_ups(token, quote(child_id, safe="")),
        )
        for child_id, name in sorted(names.items(), key=lambda item: item[1])
    ]


async def _page(request: Request, status_code: int = 200, error: str = "") -> Response:
    children = await fetched(request, _children)
    done = DONE.get(request.query_params.get("done", ""))
    _ = translator(language_of(request))
    return render(
        request,
        "weeks.html",
        current_session(request),
        status_code=status_code,
        children=children,
        language_names=LANGUAGE_NAMES,
        done=_(done) if done else "",
        error=error,
    )


@router.get("/weeks")
async def weeks(request: Request) -> Response:
    return await _page(request)


async def _act(request: Request, week_id: str, action: str) -> Response:
    session, fields = await posted_form(request)
    if not session.signed_in:
        raise NotSignedIn
    child_id = quote(fields.get("child_id", ""), safe="")
    week = quote(week_id, safe="")
    try:
        if action == "signed_up":
            await fetched(request, lambda apis, t: apis.sign_up_for_week(t, week, child_id))
        else:
            await fetched(request, lambda apis, t: apis.cancel_week(t, week, child_id))
    except ApiError as error:
        if error.status == 401:
            raise
        _ = translator(language_of(request))
        refusal = REFUSALS.get(error.code)
        message = _(refusal) if refusal else message_of(error, _)
        status = error.page_status()
        return await _page(request, status, message)
    return redirect(request, f"/weeks?done={action}")


@router.post("/weeks/{week_id}/sign-up")
async def sign_up(request: Request, week_id: str) -> Response:
    return await _act(request, week_id, "signed_up")


@router.post("/weeks/{week_id}/cancel")
async def cancel(request: Request, week_id: str) -> Response:
    return await _act(request, week_id, "cancelled")
