"""The contract list partners page through: cursor pages of ``limit`` (the most recently filed
first, then by id), the filters status, child and month, and refusals of a garbled cursor or
an unknown parameter."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from membership_api import ESCH, application

from csa_membership.domain.nin import make_nin
from csa_shared.testing.tokens import TestTokens


async def _file(api: httpx.AsyncClient, agent: dict[str, str], serial: int) -> str:
    child = {"first_name": f"Kid{serial}", "last_name": "Muller"}
    child["nin"] = make_nin(date(2021, 1, 1 + serial), 50 + serial).value
    filed = await api.post("/v1/contracts", json=application(child=child), headers=agent)
    assert filed.status_code == 201, filed.text
    return str(filed.json()["contract_id"])


async def _walk(api: httpx.AsyncClient, agent: dict[str, str], **query: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        answer = await api.get("/v1/contracts", params=params, headers=agent)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append([c["contract_id"] for c in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_pages_filters_and_refusals(api: httpx.AsyncClient, tokens: TestTokens) -> None:
    agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
    filed = [await _file(api, agent, serial) for serial in range(5)]
    signed = await api.post(f"/v1/contracts/{filed[1]}/signature", headers=agent)
    assert signed.status_code == 200, signed.text
    valid_from = date.fromisoformat(signed.json()["valid_from"])

    pages = await _walk(api, agent, limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [cid for page in pages for cid in page] == sorted(filed)  # same day: by id
    assert await _walk(api, agent) == [sorted(filed)]  # default limit 50

    assert await _walk(api, agent, status="active") == [[filed[1]]]
    child_id = signed.json()["child_id"]
    assert await _walk(api, agent, child_id=child_id, limit=1) == [[filed[1]]]
    assert await _walk(api, agent, month=valid_from.strftime("%Y-%m")) == [[filed[1]]]
    before = date(valid_from.year - 1, valid_from.month, 1).strftime("%Y-%m")
    assert await _walk(api, agent, month=before) == [[]]

    for query in ({"cursor": "garbled"}, {"limit": 201}, {"month": "2025-13"}, {"page": 2}):
        refused = await api.get("/v1/contracts", params=query, headers=agent)
        assert refused.status_code == 422, (query, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == next(iter(query))
