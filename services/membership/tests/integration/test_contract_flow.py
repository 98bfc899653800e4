"""An agent takes a family from application to signature, amendment, renewal and expiry."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from membership_api import ESCH, application, household_earning
from sqlalchemy import select

from csa_membership.contracts.expiry import run_expiry
from csa_membership.domain.contract import default_effective_date
from csa_shared.clock import luxembourg_today
from csa_shared.events import parse_event
from csa_shared.rules.periods import billing_period_of
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


async def _outbox(runtime) -> list:
    async with runtime.sessions() as session:
        rows = (await session.execute(select(runtime.outbox).order_by(runtime.outbox.c.id))).all()
    return [parse_event(row.payload) for row in rows]


async def test_application_to_expiry_through_the_api(api, membership, tokens: TestTokens) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))

    filed = await api.post("/v1/contracts", json=application(), headers=agent)
    assert filed.status_code == 201, filed.text
    contract = filed.json()
    cid, child_id = contract["contract_id"], contract["child_id"]
    assert contract["status"] == "applied"
    assert contract["versions"][0]["category"] == "lt_2_5"  # 5200 is 2.02 x SSM 2570.93
    assert contract["versions"][0]["rank"] == 2
    assert await _outbox(membership) == []  # nothing announced before signature

    signed = await api.post(f"/v1/contracts/{cid}/signature", json={}, headers=agent)
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["status"] == "active"
    valid_from, valid_until = date.fromisoformat(body["valid_from"]), body["valid_until"]
    assert valid_from == billing_period_of(luxembourg_today()).start
    events = await _outbox(membership)
    assert [e.type for e in events] == [
        "lu.csa.membership.contract.signed.v1",
        "lu.csa.membership.child.registered.v1",
    ]
    assert all(e.key == child_id for e in events)
    assert events[0].data["category"] == body["versions"][0]["category"]
    assert events[1].data["surname"] == "Muller" and events[1].data["birth_date"] == "2022-05-10"
    assert "2022051004258" not in json.dumps([e.to_dict() for e in events])  # no national id

    amended = await api.post(
        f"/v1/contracts/{cid}/amendments",
        json={"changes": ["income"], "household": household_earning("2000.00")},
        headers=agent,
    )
    assert amended.status_code == 200, amended.text
    versions = amended.json()["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["category"] == "lt_1_5"
    effective_from = date.fromisoformat(versions[1]["effective_from"])
    assert effective_from == default_effective_date(luxembourg_today())
    assert (await _outbox(membership))[-1].data["effective_from"] == versions[1]["effective_from"]

    renewed = await api.post(f"/v1/contracts/{cid}/renewals", json={}, headers=agent)
    assert renewed.status_code == 200, renewed.text
    terms = renewed.json()["terms"]
    assert len(terms) == 2
    old_end = date.fromisoformat(valid_until)
    assert date.fromisoformat(terms[1]["valid_from"]) == old_end + timedelta(days=1)  # no gap
    renewal_event = (await _outbox(membership))[-1]
    assert renewal_event.type == "lu.csa.membership.contract.renewed.v1"
    assert renewal_event.data["rebill_months"] == []

    new_end = date.fromisoformat(terms[1]["valid_until"])
    assert await run_expiry(membership, as_of=new_end) == []  # still valid on its last day
    assert await run_expiry(membership, as_of=new_end + timedelta(days=1)) == [cid]
    assert await run_expiry(membership, as_of=new_end + timedelta(days=1)) == []  # once only
    expired_event = (await _outbox(membership))[-1]
    assert expired_event.type == "lu.csa.membership.contract.expired.v1"
    assert expired_event.data["valid_until"] == new_end.isoformat()

    history = (await api.get(f"/v1/contracts/{cid}", headers=agent)).json()
    assert history["status"] == "expired" and len(history["versions"]) == 2

    parent = tokens.header(tokens.parent("parent-1", [child_id]))
    mine = await api.get("/v1/contracts", headers=parent)
    assert [c["contract_id"] for c in mine.json()["items"]] == [cid]
    assert mine.json()["items"][0]["child_nin"] is None
    stranger = tokens.header(tokens.parent("parent-2", ["someone-else"]))
    assert (await api.get("/v1/contracts", headers=stranger)).json()["items"] == []
    assert (await api.get(f"/v1/contracts/{cid}", headers=stranger)).status_code == 403


async def test_agents_search_only_their_commune(api, tokens: TestTokens) -> None:
    esch = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    other = tokens.header(tokens.commune_agent("agent-lux-1", "Luxembourg"))
    filed = await api.post("/v1/contracts", json=application(), headers=esch)
    cid = filed.json()["contract_id"]

    listed = (await api.get("/v1/contracts", headers=esch)).json()
    assert [c["contract_id"] for c in listed["items"]] == [cid]
    assert (await api.get("/v1/contracts", headers=other)).json()["items"] == []
    forbidden = await api.get(f"/v1/contracts/{cid}", headers=other)
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert (await api.post(f"/v1/contracts/{cid}/signature", headers=other)).status_code == 403


async def test_cae_agent_files_for_a_cross_border_child(api, tokens: TestTokens) -> None:
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
    assert filed.json()["office"] == "cae" and filed.json()["commune"] is None
