"""Billing's lists page with a cursor (issue 23, ``csa_shared.http.pagination``): ``limit``
and the ``next_cursor`` of the previous page walk the parent's invoices and the provider's
statements in a stable order, each once; the filters narrow them; a garbled cursor or
another list's is a 422; the portal's client follows the pages."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from csa.services import definition
from csa_billing.periods.close import CloseOptions, close_period
from csa_portal import api as portal_api

from .town import deliver, town, two_providers

pytestmark = pytest.mark.postgres
CHILDREN = ["child-a", "child-b", "child-f"]  # 1 + 1 + 2 invoices (child-f: sea-mr, ap-1)


async def _pages(api, headers, path: str, **params) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    pages = []
    while True:
        response = await api.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        params = {**params, "cursor": body["next_cursor"]}


async def test_invoices_and_statements_come_in_cursor_pages_with_filters(
    billing, api, tokens, monkeypatch
) -> None:
    await deliver(billing, town() + two_providers())
    await close_period(billing, "2025-03", CloseOptions(today=date(2025, 4, 30)))
    parent = tokens.header(tokens.parent("p", CHILDREN))

    [everything] = await _pages(api, parent, "/v1/invoices")
    assert sorted({i["child_id"] for i in everything}) == CHILDREN and len(everything) == 4
    assert [i["number"] for i in everything] == sorted(i["number"] for i in everything)
    pages = await _pages(api, parent, "/v1/invoices", limit=3)
    assert [len(p) for p in pages] == [3, 1]
    assert [i["id"] for p in pages for i in p] == [i["id"] for i in everything]

    [mine] = await _pages(api, parent, "/v1/invoices", child_id="child-f")
    assert [(i["child_id"], i["provider_id"]) for i in mine] == [
        ("child-f", "ap-1"),
        ("child-f", "sea-mr"),
    ]
    [at_sea_mr] = await _pages(api, parent, "/v1/invoices", provider_id="sea-mr", month="2025-03")
    assert [i["child_id"] for i in at_sea_mr] == ["child-b", "child-f"]
    assert await _pages(api, parent, "/v1/invoices", month="2025-04") == [[]]
    assert await _pages(api, parent, "/v1/invoices", child_id="child-c") == [[]]  # not theirs

    provider = tokens.header(tokens.provider("sea-mr"))
    [[statement]] = await _pages(api, provider, "/v1/statements", limit=1)
    assert statement["month"] == "2025-03" and len(statement["lines"]) == 3
    assert await _pages(api, provider, "/v1/statements", month="2025-02") == [[]]

    first = (await api.get("/v1/invoices", headers=parent, params={"limit": 1})).json()
    for cursor in ("garbled", first["next_cursor"][:-2]):
        refused = await api.get("/v1/invoices", headers=parent, params={"cursor": cursor})
        assert refused.status_code == 422, refused.text
    statements_cursor = await api.get(  # a cursor of the invoice list, given to the statements
        "/v1/statements", headers=provider, params={"cursor": first["next_cursor"]}
    )
    assert statements_cursor.status_code == 422
    assert (await api.get("/v1/invoices", headers=parent, params={"limit": 0})).status_code == 422

    # the portal's client reads every page (here one invoice a page)
    monkeypatch.setattr(portal_api, "PAGE_LIMIT", 1)
    app = definition("billing").create_app(billing, manage_lifecycle=False)
    client = portal_api.PublicApis(
        {"billing": "http://billing"}, timeout=10, transport=httpx.ASGITransport(app=app)
    )
    try:
        token = tokens.parent("p", CHILDREN)
        assert [i["id"] for i in await client.invoices(token)] == [i["id"] for i in everything]
    finally:
        await client.close()
