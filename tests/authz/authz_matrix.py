"""The authorization matrix: every route of an app x every principal, run in-process.

A service's matrix is a dict ``"METHOD /path/{template}" -> row``; a row holds one mark per
principal, in the order of ``COLUMNS``:

* ``X`` allowed: the request succeeds (2xx);
* ``f`` forbidden: 403 problem details;
* ``n`` not found: 404 problem details (the service hides that the resource exists);
* ``u`` unknown: 422 problem details that say what an unknown id gets (a provider naming a
  child not under contract with it learns nothing about the child's other providers);
* ``a`` authentication required: 401 problem details (the anonymous column of every
  protected route).

Each route has a request builder ``build(who) -> Call``; builders give every allowed principal
its own fresh resource where a call consumes one, so that every allowed cell really succeeds.
Refused cells run first, so a refusal that changed something would break an allowed cell.
Besides the status, every 2xx answer to a principal outside ``World.sees_secret`` must not
contain any of ``World.secrets`` (ids of family A's data): lists must be scoped, not only guarded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.routing import Route

from csa_shared.testing.tokens import TestTokens

COLUMNS = (
    "parent_a",
    "parent_b",
    "provider_x",
    "provider_y",
    "commune_own",
    "commune_other",
    "cae",
    "agency",
    "privacy",
    "anonymous",
)
HEADER = "pA pB pX pY cO cX ca ag po an"
"""Column heads: parents of families A and B, providers X and Y, a commune agent of family
A's commune and one of another commune, a CAE agent (also the identity administrator), the
Dageselteren agency, the privacy officer (GDPR export and erasure), and no token at all."""

MARKS = {"X": "2xx", "f": 403, "n": 404, "u": 422, "a": 401}
PROBLEM_JSON = "application/problem+json"
OWN_COMMUNE = "Luxembourg"
OTHER_COMMUNE = "Esch-sur-Alzette"


@dataclass
class Call:
    """One request: the path with its ids filled in, and what to send."""

    path: str
    json: Any = None
    content: bytes | None = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    check: Callable[[httpx.Response], str | None] | None = None
    """Extra check of a 2xx answer; returns what is wrong, or None."""


Builder = Callable[[str], Awaitable[Call]]


def parse_row(row: str) -> dict[str, str]:
    marks = row.split()
    assert len(marks) == len(COLUMNS), f"row {row!r} needs {len(COLUMNS)} marks"
    assert set(marks) <= set(MARKS), f"row {row!r}: marks are {' '.join(MARKS)}"
    return dict(zip(COLUMNS, marks, strict=True))


def app_routes(app: FastAPI) -> set[str]:
    """Every route the app serves, as ``METHOD /path``: the operations of the app's own
    OpenAPI document (generated now, not the committed copy) and the routes outside it (the
    documentation pages). HEAD is left aside: it follows GET. No service route is hidden from
    the schema (``include_in_schema`` is never used), so the document lists them all."""
    found = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    for route in app.routes:
        if isinstance(route, Route) and not route.include_in_schema:
            found.update(f"{method} {route.path}" for method in (route.methods or set()) - {"HEAD"})
    return found


@dataclass
class World:
    """The principals' tokens for one service and what family A's data looks like."""

    tokens: TestTokens
    children_a: list[str]
    children_b: list[str]
    account_a: str = "account-a"
    account_b: str = "account-b"
    secrets: tuple[str, ...] = ()
    sees_secret: frozenset[str] = frozenset()
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        if not self._headers:
            t = self.tokens
            minted = {
                "parent_a": t.mint(
                    kind="parent",
                    subject=self.account_a,
                    roles=["parent"],
                    children=self.children_a,
                ),
                "parent_b": t.mint(
                    kind="parent",
                    subject=self.account_b,
                    roles=["parent"],
                    children=self.children_b,
                ),
                "provider_x": t.provider("prov-x"),
                "provider_y": t.provider("prov-y"),
                "commune_own": t.commune_agent("agent-lux", OWN_COMMUNE),
                "commune_other": t.commune_agent("agent-esch", OTHER_COMMUNE),
                "cae": t.cae_agent("agent-cae"),
                "agency": t.agency_agent("agent-dgs"),
                "privacy": t.privacy_officer("agent-dpo"),
            }
            self._headers = {who: t.header(token) for who, token in minted.items()}
            self._headers["anonymous"] = {}
        return self._headers[who]


def _verdict(mark: str, response: httpx.Response) -> str | None:
    status = response.status_code
    if mark == "X":
        return None if 200 <= status < 300 else f"expected 2xx, got {status}"
    if status != MARKS[mark]:
        return f"expected {MARKS[mark]}, got {status}"
    if not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
        return f"{status} is not problem details ({response.headers.get('content-type')})"
    return None


async def run_matrix(
    client: httpx.AsyncClient,
    app: FastAPI,
    world: World,
    matrix: dict[str, str],
    builders: dict[str, Builder],
) -> list[str]:
    """Run every cell; return one line per cell that did not answer as the matrix says."""
    served = app_routes(app)
    failures = [f"{r}: served but not in the matrix" for r in sorted(served - set(matrix))]
    failures += [f"{r}: in the matrix but not served" for r in sorted(set(matrix) - served)]
    failures += [f"{r}: no request builder" for r in sorted(set(matrix) - set(builders))]
    if failures:
        return failures
    for route, row in matrix.items():
        method = route.split()[0]
        marks = parse_row(row)
        order = [w for w in COLUMNS if marks[w] != "X"] + [w for w in COLUMNS if marks[w] == "X"]
        for who in order:
            call = await builders[route](who)
            response = await client.request(
                method,
                call.path,
                json=call.json,
                content=call.content,
                params=call.params,
                headers={**call.headers, **world.auth(who)},
            )
            wrong = _verdict(marks[who], response)
            if wrong is None and marks[who] == "X":
                if call.check is not None:
                    wrong = call.check(response)
                if wrong is None and who not in world.sees_secret:
                    shown = [s for s in world.secrets if s in response.text]
                    wrong = f"answer shows family A's {shown}" if shown else None
            if wrong:
                failures.append(f"{route:<58} {who:<14} {wrong}: {response.text[:160]}")
    return failures
