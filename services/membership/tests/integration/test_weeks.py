"""Plurilingual education weeks on PostgreSQL behind the real HTTP app: offers, sign-ups
within capacity (30 parents racing for 10 places), idempotency, cancellation, refusals."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest
import time_machine
from membership_api import ESCH, application
from sqlalchemy import func, select
from weeks_api import enrol, week_body

from csa_membership.tables import week_sign_ups, weeks
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


def _parent(tokens: TestTokens, *children: str) -> dict[str, str]:
    return tokens.header(tokens.parent(f"account-{children[0]}", list(children)))


async def _offer(api: httpx.AsyncClient, tokens: TestTokens, **changes: Any) -> dict[str, Any]:
    made = await api.post(
        "/v1/weeks", json=week_body(**changes), headers=tokens.header(tokens.provider("prov-x"))
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def _stored(runtime: ServiceRuntime, week_id: str) -> tuple[int, int]:
    """(the week's ``taken``, its signed-up rows) as stored."""
    async with runtime.sessions() as session:
        taken = (
            await session.execute(select(weeks.c.taken).where(weeks.c.week_id == week_id))
        ).scalar_one()
        rows = (
            await session.execute(
                select(func.count()).where(
                    week_sign_ups.c.week_id == week_id, week_sign_ups.c.status == "signed_up"
                )
            )
        ).scalar_one()
    return int(taken), int(rows)


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert code in response.text, response.text


async def test_thirty_parents_racing_for_ten_places_get_exactly_ten(
    api, membership: ServiceRuntime, tokens: TestTokens
) -> None:
    kids = [f"race-{n:02d}" for n in range(30)]
    await enrol(membership, kids)
    week = await _offer(api, tokens, capacity=10)
    url = f"/v1/weeks/{week['week_id']}/sign-ups"
    answers = await asyncio.gather(
        *(api.post(url, json={"child_id": k}, headers=_parent(tokens, k)) for k in kids)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 10 + [409] * 20, statuses
    for refused in (a for a in answers if a.status_code == 409):
        _problem(refused, 409, "week-full")
    assert await _stored(membership, week["week_id"]) == (10, 10)
    read = await api.get(f"/v1/weeks/{week['week_id']}", headers=_parent(tokens, kids[0]))
    assert read.json()["places_left"] == 0


async def test_the_same_child_sent_twice_at_once_takes_one_place(
    api, membership: ServiceRuntime, tokens: TestTokens
) -> None:
    await enrol(membership, ["twin"])
    week = await _offer(api, tokens, capacity=3)
    url = f"/v1/weeks/{week['week_id']}/sign-ups"
    parent = _parent(tokens, "twin")
    answers = await asyncio.gather(
        *(api.post(url, json={"child_id": "twin"}, headers=parent) for _ in range(8))
    )
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert await _stored(membership, week["week_id"]) == (1, 1)


async def test_cancelling_frees_the_place_and_the_child_signs_up_again(
    api, membership: ServiceRuntime, tokens: TestTokens
) -> None:
    await enrol(membership, ["first", "second"])
    week = await _offer(api, tokens, capacity=1)
    url = f"/v1/weeks/{week['week_id']}/sign-ups"
    first, second = _parent(tokens, "first"), _parent(tokens, "second")
    assert (await api.post(url, json={"child_id": "first"}, headers=first)).status_code == 201
    _problem(await api.post(url, json={"child_id": "second"}, headers=second), 409, "week-full")

    cancelled = await api.post(f"{url}/first/cancellation", headers=first)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["week"]["places_left"] == 1
    again = await api.post(f"{url}/first/cancellation", headers=first)
    assert again.json()["status"] == "cancelled"  # a repeat changes nothing
    assert await _stored(membership, week["week_id"]) == (0, 0)

    assert (await api.post(url, json={"child_id": "second"}, headers=second)).status_code == 201
    listed = await api.get("/v1/children/second/week-sign-ups", headers=second)
    assert [(s["week_id"], s["status"]) for s in listed.json()] == [(week["week_id"], "signed_up")]
    history = (await api.get("/v1/children/first/week-sign-ups", headers=first)).json()
    assert [s["status"] for s in history] == ["cancelled"]


async def test_refusals_are_problems(api, membership: ServiceRuntime, tokens: TestTokens) -> None:
    await enrol(membership, ["young"], age=3)
    await enrol(membership, ["old"], age=4)
    await enrol(membership, ["ended"], status="expired")
    week = await _offer(api, tokens, min_age=1, max_age=3)
    url = f"/v1/weeks/{week['week_id']}/sign-ups"
    _problem(
        await api.post(url, json={"child_id": "old"}, headers=_parent(tokens, "old")),
        422,
        "too-old",
    )
    _problem(
        await api.post(url, json={"child_id": "ended"}, headers=_parent(tokens, "ended")),
        422,
        "no-contract-in-force",
    )
    _problem(
        await api.post(url, json={"child_id": "young"}, headers=_parent(tokens, "old")),
        403,
        "",
    )
    _problem(
        await api.post(
            "/v1/weeks/nope/sign-ups", json={"child_id": "young"}, headers=_parent(tokens, "young")
        ),
        404,
        "week-not-found",
    )
    _problem(
        await api.post(f"{url}/young/cancellation", headers=_parent(tokens, "young")),
        404,
        "sign-up-not-found",
    )
    assert await _stored(membership, week["week_id"]) == (0, 0)


async def test_offers_are_checked_and_entered_only_by_their_provider_or_agents(
    api, tokens: TestTokens
) -> None:
    provider = tokens.header(tokens.provider("prov-x"))
    for bad, code in [
        ({"languages": ["lb", "lb"]}, "invalid-week"),
        ({"max_age": 5}, "invalid-input"),
        ({"min_age": 3, "max_age": 2}, "invalid-age-band"),
        ({"starts_on": "2020-01-06", "ends_on": "2020-01-10"}, "week-in-the-past"),
        ({"capacity": 0}, "invalid-input"),
    ]:
        refused = await api.post("/v1/weeks", json=week_body(**bad), headers=provider)
        _problem(refused, 422, code)
    other = tokens.header(tokens.provider("prov-y"))
    assert (await api.post("/v1/weeks", json=week_body(), headers=other)).status_code == 403
    esch = tokens.header(tokens.commune_agent("agent-esch", "esch-sur-alzette"))
    lux = tokens.header(tokens.commune_agent("agent-lux", "Luxembourg"))
    assert (await api.post("/v1/weeks", json=week_body(), headers=esch)).status_code == 201
    assert (await api.post("/v1/weeks", json=week_body(), headers=lux)).status_code == 403
    assert (
        await api.post(
            "/v1/weeks", json=week_body(), headers=tokens.header(tokens.cae_agent("cae"))
        )
    ).status_code == 201


async def test_a_child_sees_only_the_weeks_its_age_fits(
    api, membership: ServiceRuntime, tokens: TestTokens
) -> None:
    await enrol(membership, ["toddler"], age=1)
    fits = await _offer(api, tokens, min_age=1, max_age=2, title="Little ones")
    await _offer(api, tokens, min_age=3, max_age=4, title="Big ones")
    parent = _parent(tokens, "toddler")
    listed = await api.get("/v1/weeks", params={"child_id": "toddler"}, headers=parent)
    assert [w["week_id"] for w in listed.json()] == [fits["week_id"]]
    everything = await api.get("/v1/weeks", headers=parent)
    assert len(everything.json()) == 2
    stranger = await api.get(
        "/v1/weeks", params={"child_id": "toddler"}, headers=_parent(tokens, "x")
    )
    assert stranger.status_code == 403


async def test_the_export_lists_the_sign_ups_and_an_erasure_withdraws_them(
    api, tokens: TestTokens
) -> None:
    with time_machine.travel(datetime(2025, 3, 3, 10), tick=True):  # Mia is 2
        agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
        filed = (await api.post("/v1/contracts", json=application(), headers=agent)).json()
        signed = await api.post(f"/v1/contracts/{filed['contract_id']}/signature", headers=agent)
        assert signed.status_code == 200, signed.text
        child = filed["child_id"]
        week = await _offer(api, tokens, capacity=2)
        parent = _parent(tokens, child)
        url = f"/v1/weeks/{week['week_id']}/sign-ups"
        assert (await api.post(url, json={"child_id": child}, headers=parent)).status_code == 201

        export = await api.get(f"/v1/privacy/children/{child}/export", headers=parent)
        assert [(s["week_id"], s["status"]) for s in export.json()["week_sign_ups"]] == [
            (week["week_id"], "signed_up")
        ]
        officer = tokens.header(tokens.privacy_officer())
        erased = await api.post(
            "/v1/privacy/erasures", json={"child_id": child, "reason": "asked"}, headers=officer
        )
        assert erased.status_code == 200, erased.text
        read = await api.get(f"/v1/weeks/{week['week_id']}", headers=parent)
        assert read.json()["places_left"] == 2
        mine = await api.get(f"/v1/children/{child}/week-sign-ups", headers=parent)
        assert [s["status"] for s in mine.json()] == ["cancelled"]
