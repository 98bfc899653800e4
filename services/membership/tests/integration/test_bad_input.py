"""Bad input gets problem details and leaves every stored row as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from membership_api import application, snapshot

from csa_membership.domain.nin import make_nin
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


async def _refused(api, membership, method: str, url: str, status: int, **kw: Any) -> dict:
    before = await snapshot(membership)
    response = await api.request(method, url, **kw)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await snapshot(membership) == before
    return response.json()


INVALID_APPLICATIONS = [
    ({"child": {"first_name": "Mia", "last_name": "M", "nin": "2022051004259"}}, "nin-bad-"),
    ({"child": {"first_name": "Mia", "last_name": "M", "nin": "20220510042"}}, "nin-wrong-length"),
    ({"child": {"first_name": "Mia", "last_name": "M", "nin": "2022133004258"}}, "nin-bad-birth"),
    (
        {"representative": {"first_name": "A", "last_name": "M", "nin": "1988110300735"}},
        "incomplete-application",
    ),
    ({"language": "nl"}, "unknown-language"),
]


async def test_invalid_applications_are_refused_with_422(api, membership, signed) -> None:
    for changes, code in INVALID_APPLICATIONS:
        problem = await _refused(
            api,
            membership,
            "POST",
            "/v1/contracts",
            422,
            json=application(**changes),
            headers=signed["agent"],
        )
        assert problem["type"].split("/")[-1].startswith(code), (code, problem)


async def test_child_aged_13_out_of_fundamental_education_is_not_eligible(
    api, membership, signed
) -> None:
    teen = make_nin(date(2010, 2, 2), 5).value
    body = application(child={"first_name": "Tom", "last_name": "M", "nin": teen})
    problem = await _refused(
        api, membership, "POST", "/v1/contracts", 422, json=body, headers=signed["agent"]
    )
    assert [r["code"] for r in problem["refusals"]] == ["too_old_and_left_fundamental_education"]


async def test_non_resident_without_ccss_affiliation_is_not_eligible(
    api, membership, signed, tokens: TestTokens
) -> None:
    body = application(
        resident=False,
        child={"first_name": "Léa", "last_name": "D", "nin": make_nin(date(2021, 3, 4), 11).value},
        parents=[{"eu_national": True, "employment": "luxembourg", "ccss_affiliated": False}],
        receives_luxembourg_family_allowance=True,
    )
    cae = tokens.header(tokens.cae_agent("agent-cae-1"))
    problem = await _refused(api, membership, "POST", "/v1/contracts", 422, json=body, headers=cae)
    assert [r["code"] for r in problem["refusals"]] == ["no_ccss_affiliation"]


async def test_negative_income_is_refused(api, membership, signed) -> None:
    body = application()
    body["household"]["members"][0]["incomes"][0]["monthly_amount"] = "-1.00"
    problem = await _refused(
        api, membership, "POST", "/v1/contracts", 422, json=body, headers=signed["agent"]
    )
    assert "monthly_amount" in problem["detail"]


async def test_second_contract_for_the_child_is_409_with_the_existing_id(
    api, membership, signed
) -> None:
    problem = await _refused(
        api, membership, "POST", "/v1/contracts", 409, json=application(), headers=signed["agent"]
    )
    assert problem["existing_contract_id"] == signed["contract"]["contract_id"]


async def test_agent_outside_their_commune_is_403(api, membership, signed, tokens) -> None:
    other = tokens.header(tokens.commune_agent("agent-lux-1", "Luxembourg"))
    body = application(
        child={"first_name": "Noah", "last_name": "M", "nin": make_nin(date(2021, 6, 1), 3).value}
    )
    problem = await _refused(
        api, membership, "POST", "/v1/contracts", 403, json=body, headers=other
    )
    assert problem["type"].endswith("agent-outside-commune")
    cid = signed["contract"]["contract_id"]
    await _refused(
        api,
        membership,
        "POST",
        f"/v1/contracts/{cid}/amendments",
        403,
        json={"changes": ["schooling"], "schooling": "precoce_part_time"},
        headers=other,
    )


async def test_impossible_dates_are_refused(api, membership, signed) -> None:
    cid = signed["contract"]["contract_id"]
    agent = signed["agent"]
    future_child = application(
        child={"first_name": "Zoé", "last_name": "M", "nin": make_nin(date(2099, 1, 1), 1).value}
    )
    await _refused(api, membership, "POST", "/v1/contracts", 422, json=future_child, headers=agent)
    await _refused(
        api,
        membership,
        "POST",
        f"/v1/contracts/{cid}/amendments",
        422,
        json={
            "changes": ["schooling"],
            "schooling": "fundamental",
            "effective_from": "1999-01-01",
            "reason": "typo",
        },
        headers=agent,
    )
    await _refused(
        api,
        membership,
        "POST",
        f"/v1/contracts/{cid}/termination",
        422,
        json={"last_day": "1999-12-31", "reason": "moved"},
        headers=agent,
    )
    await _refused(
        api,
        membership,
        "POST",
        f"/v1/contracts/{cid}/amendments",
        422,
        json={"changes": ["schooling"], "effective_from": "2026-02-30"},
        headers=agent,
    )


async def test_renewal_of_unknown_or_terminated_contract_is_refused(
    api, membership, signed
) -> None:
    agent = signed["agent"]
    problem = await _refused(
        api, membership, "POST", "/v1/contracts/no-such-contract/renewals", 404, headers=agent
    )
    assert problem["type"].endswith("contract-not-found")
    contract = signed["contract"]
    ended = await api.post(
        f"/v1/contracts/{contract['contract_id']}/termination",
        json={"last_day": contract["valid_from"], "reason": "moved abroad"},
        headers=agent,
    )
    assert ended.status_code == 200, ended.text
    problem = await _refused(
        api,
        membership,
        "POST",
        f"/v1/contracts/{contract['contract_id']}/renewals",
        422,
        headers=agent,
    )
    assert problem["type"].endswith("cannot-renew-terminated")


async def test_unknown_language_for_the_document_is_422(api, membership, signed) -> None:
    cid = signed["contract"]["contract_id"]
    await _refused(
        api,
        membership,
        "GET",
        f"/v1/contracts/{cid}/document?lang=xx",
        422,
        headers=signed["agent"],
    )
