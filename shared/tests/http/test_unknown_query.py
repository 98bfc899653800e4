"""A misspelt filter is refused, not silently ignored: unknown query parameters are 422s."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from csa_shared.http.problems import PROBLEM_JSON

lists = APIRouter()


class Window:
    def __init__(self, limit: int = Query(50), cursor: str | None = None) -> None:
        self.limit, self.cursor = limit, cursor


class Filters(BaseModel):
    status: str | None = None


@lists.get("/invoices")
async def list_invoices(
    month: str | None = None,
    window: Window = Depends(),
    filters: Filters = Query(),
) -> dict[str, object]:
    return {"month": month, "limit": window.limit, "status": filters.status}


@pytest.fixture
async def http(service_app: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    _, app = service_app([lists])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        yield c


async def test_declared_parameters_of_the_endpoint_its_dependencies_and_models_pass(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.get("/v1/invoices?month=2025-03&limit=10&cursor=x&status=open")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"month": "2025-03", "limit": 10, "status": "open"}


async def test_an_unknown_query_parameter_is_a_422_naming_it(http: httpx.AsyncClient) -> None:
    answer = await http.get("/v1/invoices?monht=2025-03&limit=10&page=2")
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM_JSON
    fields = [error["field"] for error in answer.json()["errors"]]
    assert fields == ["monht", "page"]
