"""Plurilingual weeks: the page's view of membership's answers, and the page on ``csa run``
(the demo weeks, a sign-up, a repeat, a cancellation, refusals in the visitor's language)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from csa_portal.i18n import translator
from csa_portal.weeks_pages import REFUSALS, child_view
from csa_shared.clock import luxembourg_today

from .test_office_pages import GERMAN, Platform, SmsSink, _csrf, _registered, platform, portal

__all__ = ["platform", "portal"]  # the fixtures: csa run on a free port, the portal on it


def _week(week_id: str, places_left: int) -> dict[str, object]:
    return {"week_id": week_id, "title": week_id, "places_left": places_left, "capacity": 5}


def test_each_week_is_open_full_or_signed_up_and_a_band_that_fits_none_is_said() -> None:
    sign_ups = [{"week_id": "a", "status": "signed_up"}, {"week_id": "b", "status": "cancelled"}]
    view = child_view("c", "Mia", [_week("a", 0), _week("b", 2), _week("c", 0)], 3, sign_ups)
    assert [(w["week_id"], w["state"]) for w in view["weeks"]] == [
        ("a", "signed_up"),
        ("b", "open"),
        ("c", "full"),
    ]
    assert not view["none_for_age"]
    assert child_view("c", "Mia", [], 2, [])["none_for_age"]
    assert not child_view("c", "Mia", [], 0, [])["none_for_age"]


def _places(page: httpx.Response) -> list[str]:
    return re.findall(r'class="places-left">([^<]+)<', page.text)


async def _send(portal: httpx.AsyncClient, action: str, child_id: str) -> httpx.Response:
    token = _csrf(await portal.get("/portal/weeks", headers=GERMAN))
    body = {"csrf_token": token, "child_id": child_id}
    return await portal.post(action, data=body, headers=GERMAN)


def _agent_week(platform: Platform, **changes: object) -> str:
    """A week entered through membership's API by a CAE agent of ``csa run``."""
    from .browser.conftest import walkthrough as w

    first = luxembourg_today() + timedelta(days=10)
    body = {
        "provider_id": "demo-sea-001",
        "commune": "Luxembourg",
        "title": "Kleng Wëssenschaftler",
        "languages": ["lb", "en"],
        "starts_on": str(first),
        "ends_on": str(first + timedelta(days=4)),
        "min_age": 1,
        "max_age": 2,
        "capacity": 4,
    } | changes
    with httpx.Client(base_url=platform[0], timeout=30) as http:
        agent = w.agent_token(http, *w.create_agent(platform[1]))
        made = http.post("/membership/v1/weeks", json=body, headers=w.bearer(agent))
    assert made.status_code == 201, made.text
    return str(made.json()["week_id"])


async def test_a_parent_signs_the_child_up_and_cancels(
    platform: Platform, portal: httpx.AsyncClient
) -> None:
    _ = translator("de")
    assert (await portal.get("/portal/weeks")).headers["location"] == "/portal/login"
    await _registered(portal, SmsSink(platform[0]))
    page = await portal.get("/portal/weeks", headers=GERMAN)
    assert page.status_code == 200 and "Mia Muller" in page.text, page.text
    assert _("Plurilingual weeks") in page.text and _("No sign-up yet.") in page.text
    assert _places(page) == ["12 / 12", "8 / 8"]  # the demo's two weeks
    action = re.search(r'action="(/portal/weeks/[^"]+/sign-up)"', page.text)
    child = re.search(r'name="child_id" value="([^"]+)"', page.text)
    assert action and child, page.text
    child_id = child.group(1)

    signed = await _send(portal, action.group(1), child_id)
    assert signed.headers["location"] == "/portal/weeks?done=signed_up"
    again = await _send(portal, action.group(1), child_id)  # a repeat takes no second place
    assert again.headers["location"] == "/portal/weeks?done=signed_up"
    page = await portal.get(signed.headers["location"], headers=GERMAN)
    assert _("Your child is signed up for the week.") in page.text
    assert _places(page) == ["11 / 12", "8 / 8"]
    assert _("Signed up") in page.text and 'data-status="signed_up"' in page.text

    cancel = action.group(1).replace("/sign-up", "/cancel")
    assert cancel in page.text
    cancelled = await _send(portal, cancel, child_id)
    assert cancelled.headers["location"] == "/portal/weeks?done=cancelled"
    page = await portal.get(cancelled.headers["location"], headers=GERMAN)
    assert _places(page) == ["12 / 12", "8 / 8"] and 'data-status="cancelled"' in page.text

    # refusals: a week for younger children (sent anyway), a child of another family
    too_young_week = _agent_week(platform)
    page = await portal.get("/portal/weeks", headers=GERMAN)
    assert too_young_week not in page.text  # not offered for Mia's age
    old = await _send(portal, f"/portal/weeks/{too_young_week}/sign-up", child_id)
    assert old.status_code == 422 and _(REFUSALS["too-old"]) in old.text, old.text
    other = await _send(portal, action.group(1), "someone-else")
    assert other.status_code == 403 and _(REFUSALS["forbidden"]) in other.text
