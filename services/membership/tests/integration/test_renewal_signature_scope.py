"""Renewal re-checks one contract per child and eligibility; signatures are not in the future;
amendments re-check the agent's competence; searches by commune ignore case."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from membership_api import ESCH, HOME, application, snapshot
from sqlalchemy import select

from csa_membership.contracts.expiry import run_expiry
from csa_membership.domain.nin import make_nin
from csa_shared.events import parse_event
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


async def _refused(api, membership, method: str, url: str, status: int, **kw: Any) -> dict:
    before = await snapshot(membership)
    response = await api.request(method, url, **kw)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await snapshot(membership) == before
    return response.json()


async def _signed(api, agent: dict[str, str], **changes: Any) -> dict[str, Any]:
    filed = await api.post("/v1/contracts", json=application(**changes), headers=agent)
    assert filed.status_code == 201, filed.text
    signed = await api.post(f"/v1/contracts/{filed.json()['contract_id']}/signature", headers=agent)
    assert signed.status_code == 200, signed.text
    return signed.json()


def _esch(tokens: TestTokens, commune: str = ESCH) -> dict[str, str]:
    return tokens.header(tokens.commune_agent("agent-esch-1", commune))


async def test_renewing_an_expired_contract_while_a_newer_one_is_active_is_409(
    api, membership, tokens: TestTokens
) -> None:
    with time_machine.travel(datetime(2025, 1, 15, 10), tick=True):
        first = await _signed(api, _esch(tokens))
    assert first["valid_until"] == "2026-01-04"
    with time_machine.travel(datetime(2026, 2, 2, 10), tick=True):
        assert await run_expiry(membership, as_of=date(2026, 2, 2)) == [first["contract_id"]]
        agent = _esch(tokens)
        second = await _signed(api, agent)  # allowed: the first one has expired
        problem = await _refused(
            api,
            membership,
            "POST",
            f"/v1/contracts/{first['contract_id']}/renewals",
            409,
            headers=agent,
        )
    assert problem["existing_contract_id"] == second["contract_id"]
    assert problem["type"].endswith("active-contract-conflict")


async def test_renewal_of_a_child_who_turns_13_out_of_fundamental_education_is_422(
    api, membership, tokens: TestTokens
) -> None:
    child = {"first_name": "Tom", "last_name": "Muller", "nin": make_nin(date(2012, 3, 1), 5).value}
    with time_machine.travel(datetime(2025, 1, 15, 10), tick=True):
        contract = await _signed(api, _esch(tokens), child=child)  # 12 years old: eligible
    cid = contract["contract_id"]
    with time_machine.travel(datetime(2025, 12, 15, 10), tick=True):
        agent = _esch(tokens)
        # the renewed term starts on 5 January 2026: Tom is 13 and not in fundamental education
        problem = await _refused(
            api, membership, "POST", f"/v1/contracts/{cid}/renewals", 422, json={}, headers=agent
        )
        assert problem["type"].endswith("not-eligible")
        assert [r["code"] for r in problem["refusals"]] == [
            "too_old_and_left_fundamental_education"
        ]
        still_at_school = await api.post(
            f"/v1/contracts/{cid}/renewals", json={"schooling": "fundamental"}, headers=agent
        )
    assert still_at_school.status_code == 200, still_at_school.text
    latest = still_at_school.json()["versions"][-1]
    assert (latest["schooling"], latest["changes"]) == ("fundamental", ["renewal"])


async def test_renewal_of_a_cross_border_child_without_ccss_affiliation_is_422(
    api, membership, tokens: TestTokens
) -> None:
    cae = tokens.header(tokens.cae_agent("agent-cae-1"))
    body = application(
        resident=False,
        child_address={
            "line": "3 rue Haute",
            "postcode": "57100",
            "locality": "Thionville",
            "country": "FR",
        },
        parents=[{"eu_national": True, "employment": "luxembourg", "ccss_affiliated": True}],
        receives_luxembourg_family_allowance=True,
    )
    filed = await api.post("/v1/contracts", json=body, headers=cae)
    assert filed.status_code == 201, filed.text
    cid = filed.json()["contract_id"]
    assert (await api.post(f"/v1/contracts/{cid}/signature", headers=cae)).status_code == 200
    lost = {"parents": [{"eu_national": True, "employment": "luxembourg"}]}
    problem = await _refused(
        api, membership, "POST", f"/v1/contracts/{cid}/renewals", 422, json=lost, headers=cae
    )
    assert [r["code"] for r in problem["refusals"]] == ["no_ccss_affiliation"]
    renewed = await api.post(f"/v1/contracts/{cid}/renewals", json={}, headers=cae)
    assert renewed.status_code == 200, renewed.text  # the filed facts still hold


async def test_signature_dated_in_the_future_is_422_and_today_is_accepted(
    api, membership, tokens: TestTokens
) -> None:
    with time_machine.travel(datetime(2025, 3, 20, 10), tick=True):
        agent = _esch(tokens)
        filed = await api.post("/v1/contracts", json=application(), headers=agent)
        cid = filed.json()["contract_id"]
        for future in ("2025-03-21", "2030-01-01"):
            problem = await _refused(
                api,
                membership,
                "POST",
                f"/v1/contracts/{cid}/signature",
                422,
                json={"signed_on": future},
                headers=agent,
            )
            assert problem["type"].endswith("signed-in-future")
        signed = await api.post(
            f"/v1/contracts/{cid}/signature", json={"signed_on": "2025-03-20"}, headers=agent
        )
    assert signed.status_code == 200, signed.text
    assert signed.json()["signed_on"] == "2025-03-20"


async def test_agent_cannot_move_a_contract_into_another_commune_by_amendment(
    api, membership, tokens: TestTokens
) -> None:
    agent = _esch(tokens)
    contract = await _signed(api, agent)
    cid = contract["contract_id"]
    elsewhere = {**copy.deepcopy(HOME), "locality": "Luxembourg", "commune": "Luxembourg"}
    problem = await _refused(
        api,
        membership,
        "POST",
        f"/v1/contracts/{cid}/amendments",
        403,
        json={"changes": ["address"], "child_address": elsewhere},
        headers=agent,
    )
    assert problem["type"].endswith("agent-outside-commune")
    lux = tokens.header(tokens.commune_agent("agent-lux-1", "Luxembourg"))
    assert (await api.get("/v1/contracts", headers=lux)).json()["items"] == []
    moved_within = {**copy.deepcopy(HOME), "line": "1, place de l'Hôtel de Ville"}
    amended = await api.post(
        f"/v1/contracts/{cid}/amendments",
        json={"changes": ["address"], "child_address": moved_within},
        headers=agent,
    )
    assert amended.status_code == 200, amended.text


async def test_search_by_commune_ignores_case_like_the_scope_check(
    api, membership, tokens: TestTokens
) -> None:
    contract = await _signed(api, _esch(tokens))
    cid = contract["contract_id"]
    for spelling in ("esch-sur-alzette", "ESCH-SUR-ALZETTE"):
        agent = _esch(tokens, spelling)
        found = await api.get("/v1/contracts", headers=agent)
        assert [c["contract_id"] for c in found.json()["items"]] == [cid], spelling
        assert (await api.get(f"/v1/contracts/{cid}", headers=agent)).status_code == 200
    lower = _esch(tokens, "esch-sur-alzette")
    amended = await api.post(
        f"/v1/contracts/{cid}/amendments",
        json={"changes": ["schooling"], "schooling": "precoce_part_time"},
        headers=lower,
    )
    assert amended.status_code == 200, amended.text
    found = await api.get("/v1/contracts", headers=_esch(tokens))
    assert [c["contract_id"] for c in found.json()["items"]] == [cid]


async def test_child_registered_names_the_legal_representative_for_the_mycard_letter(
    api, membership, tokens: TestTokens
) -> None:
    contract = await _signed(api, _esch(tokens))
    async with membership.sessions() as session:
        rows = (await session.execute(select(membership.outbox))).all()
    registered = next(
        e
        for e in (parse_event(r.payload) for r in rows)
        if e.type == "lu.csa.membership.child.registered.v1"
    )
    assert registered.data["contract_id"] == contract["contract_id"]
    rep = registered.data["representative"]
    assert (rep["first_name"], rep["surname"]) == ("Anna", "Muller")
    assert rep["address"]["line"] == HOME["line"] and rep["address"]["commune"] == ESCH
