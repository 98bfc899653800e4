"""The docs pages load everything from the service itself: they work offline."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

REFERENCE = re.compile(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.fixture
async def http(service_app: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    _, app = service_app([])
    root = FastAPI()  # as embedded `csa run` mounts each service
    root.mount("/billing", app)
    transport = httpx.ASGITransport(app=root)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        yield client


@pytest.mark.parametrize("page", ["/billing/docs", "/billing/redoc"])
async def test_a_docs_page_references_no_external_host_and_its_assets_load(
    http: httpx.AsyncClient, page: str
) -> None:
    response = await http.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"https?://|['\"]//", html), html
    references = REFERENCE.findall(html)
    assert "/billing/openapi.json" in references
    assets = [r for r in references if r.startswith("/billing/docs-assets/")]
    assert len(assets) >= 2, references  # a script and a favicon at least
    for asset in assets:
        loaded = await http.get(asset)
        assert loaded.status_code == 200 and len(loaded.content) > 1000, asset


async def test_the_oauth2_redirect_of_swagger_ui_is_served(http: httpx.AsyncClient) -> None:
    page = (await http.get("/billing/docs")).text
    assert "'/billing/docs/oauth2-redirect'" in page or '"/billing/docs/oauth2-redirect"' in page
    redirect = await http.get("/billing/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "oauth2" in redirect.text.lower()
