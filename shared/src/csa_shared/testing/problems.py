"""Assertions on the problem details a service answers to input it refuses."""

from __future__ import annotations

from typing import Any, Protocol

from csa_shared.http.problems import PROBLEM_JSON


class _Response(Protocol):
    status_code: int
    text: str

    @property
    def headers(self) -> Any: ...

    def json(self) -> Any: ...


def assert_refused_naming(response: _Response, field: str | None) -> dict[str, Any]:
    """A 4xx RFC 9457 problem whose ``errors`` name ``field`` (the bound, not the database,
    refused it); ``None``: a body refused before parsing, 413. Returns the problem."""
    assert 400 <= response.status_code < 500, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == response.status_code
    if field is None:
        assert response.status_code == 413, problem
    else:
        assert field in [e["field"] for e in problem.get("errors", [])], problem
    return problem


async def answer_of(error: Exception, accept_language: str = "") -> tuple[int, dict[str, str], Any]:
    """``error`` raised by an endpoint of an app with the shared problem handlers: its status,
    its ``Retry-After`` / ``WWW-Authenticate`` headers and its body (members in answer order)."""
    import httpx
    from fastapi import FastAPI

    from csa_shared.http.problems import install_problem_handlers

    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/refused")
    async def refused() -> None:
        raise error

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"accept-language": accept_language} if accept_language else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/refused", headers=headers)
    assert response.headers["content-type"] == PROBLEM_JSON
    kept = {k: v for k, v in response.headers.items() if k in ("retry-after", "www-authenticate")}
    return response.status_code, kept, response.json()
