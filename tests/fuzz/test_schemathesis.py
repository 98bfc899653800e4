"""Schemathesis against every service's committed OpenAPI document, in process (issue 9).

Each service runs on a PostgreSQL database of its own, behind Starlette's TestClient (one
event loop for the seeding and every request). Cases are generated from the committed
document (``docs/api/<service>.openapi.json``), so a drift between the document and the app
shows up here too. Every answer is checked for:

* no 5xx (``not_a_server_error``);
* every 4xx/5xx is RFC 9457 problem details (``application/problem+json`` with ``type``,
  ``title`` and ``status`` equal to the HTTP status);
* the body matches the documented schema of its status (``response_schema_conformance``).

Once per operation and pass, the first case is also sent varied at the edges (``edges.py``:
dates of year 1 and 9999, 1e400 and 10^31 as amounts, NUL in texts, lists of 1001 items,
a 100 000-deep body, absurd query and path parameters): no 5xx, problem details (issue 19).

``make test`` runs a small derandomized sample (``SMALL_EXAMPLES`` per operation, fixed seed);
``make fuzz`` sets ``CSA_FUZZ_EXAMPLES=1000``: at least that many generated cases per service.
"""

from __future__ import annotations

import math
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from edges import PATH_EDGES, variants
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from starlette.testclient import TestClient

from csa.services import definition
from csa_shared.bus.memory import InProcessBus
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"
SMALL_EXAMPLES = 6
FUZZ_EXAMPLES = int(os.environ.get("CSA_FUZZ_EXAMPLES", "0"))
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Target:
    """A service and the principal whose token every generated request carries."""

    service: str
    principal: str
    token: Callable[[TestTokens], str]
    seed: Callable[[httpx.AsyncClient, TestTokens], Awaitable[None]] | None = None

    @property
    def id(self) -> str:
        return f"{self.service}-as-{self.principal}"


async def _seed_attendance(client: httpx.AsyncClient, tokens: TestTokens) -> None:
    """Provider prov-x with child-a under contract, so provider requests can get through."""
    agent = tokens.header(tokens.cae_agent("agent-cae"))
    provider = {
        "provider_id": "prov-x",
        "provider_type": "sea_commercial",
        "effective_from": "2025-01-06",
        "name": "Crèche X",
        "address": {"street": "1 rue de la Gare", "postcode": "L-1611", "locality": "Luxembourg"},
        "commune": "Luxembourg",
        "hourly_price": "5.00",
        "meal_price": "4.50",
    }
    contract = {
        "contract_id": "ec-a",
        "child_id": "child-a",
        "provider_id": "prov-x",
        "start": "2025-01-06",
        "hours_per_week": "40",
        "hourly_price": "5.00",
    }
    for path, body in (("/v1/providers", provider), ("/v1/education-contracts", contract)):
        response = await client.post(path, json=body, headers=agent)
        assert response.status_code == 201, response.text


TARGETS = [
    Target("membership", "commune-agent", lambda t: t.commune_agent("agent-lux", "Luxembourg")),
    Target("attendance", "cae-agent", lambda t: t.cae_agent("agent-cae"), _seed_attendance),
    Target("attendance", "provider", lambda t: t.provider("prov-x"), _seed_attendance),
    Target("billing", "cae-agent", lambda t: t.cae_agent("agent-cae")),
    Target("billing", "parent", lambda t: t.parent("account-a", ["child-a"])),
    Target("identity", "parent", lambda t: t.parent("account-a", ["child-a"])),
    Target("identity", "cae-agent", lambda t: t.cae_agent("agent-cae")),
    Target("identity", "provider", lambda t: t.provider("prov-x")),
]


def _oauth_error(response: httpx.Response, kind: str) -> bool:
    """The token endpoint's errors are RFC 6749 §5.2 ``application/json`` bodies, which also
    carry the problem-details members (checked below)."""
    token = response.request.url.path.endswith("/v1/oauth/token")
    return token and kind.startswith("application/json") and "error" in response.json()


def _problem_details(response: httpx.Response) -> str | None:
    if response.status_code < 400:
        return None
    kind = response.headers.get("content-type", "")
    if not kind.startswith(PROBLEM_JSON) and not _oauth_error(response, kind):
        return f"{response.status_code} answered as {kind!r}, not problem details"
    body = response.json()
    missing = [k for k in ("type", "title", "status") if k not in body]
    if missing:
        return f"problem details without {missing}"
    if body["status"] != response.status_code:
        return f"problem status {body['status']} != HTTP {response.status_code}"
    return None


def _runtime(service: str, database_url: str, var_dir: Path) -> ServiceRuntime:
    settings = Settings(
        **{f"{service.upper()}_DATABASE_URL": database_url},
        CSA_VAR_DIR=str(var_dir),
        KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",  # production shape; the bus is in-process
    )
    runtime = definition(service).build_runtime(settings, bus=InProcessBus())  # type: ignore[arg-type]
    if service == "identity":
        from csa_identity.context import identity_of
        from csa_identity.domain.passwords import CHEAP_ARGON2_FOR_TESTS, PasswordHasher

        identity_of(runtime).password_hasher = PasswordHasher(CHEAP_ARGON2_FOR_TESTS)
    return runtime


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_generated_requests_never_get_a_5xx_and_errors_are_problem_details(
    target: Target, pg_database_url: Callable[[], str], tmp_path: Path
) -> None:
    tokens = TestTokens()
    runtime = _runtime(target.service, pg_database_url(), tmp_path)
    runtime.token_verifier = tokens.verifier(target.service)  # type: ignore[arg-type]
    app = definition(target.service).create_app(runtime, manage_lifecycle=False)  # type: ignore[arg-type]
    base_url = f"http://{target.service}"
    auth = tokens.header(target.token(tokens))

    async def start() -> None:
        await runtime.start(migrate=True, relay=False)
        if target.seed is not None:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=base_url) as seeder:
                await target.seed(seeder, tokens)

    schema = schemathesis.openapi.from_path(str(DOCS / f"{target.service}.openapi.json"))
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = math.ceil(FUZZ_EXAMPLES / len(operations)) if FUZZ_EXAMPLES else SMALL_EXAMPLES
    failures: list[str] = []
    sent = 0

    with TestClient(app, base_url=base_url, raise_server_exceptions=False) as client:
        assert client.portal is not None
        client.portal.call(start)
        try:
            # operations with few inputs (no parameters) stop early: passes until enough
            passes = 0
            while passes == 0 or (sent < FUZZ_EXAMPLES and passes < 10):
                passes += 1
                for operation in operations:
                    queries = _query_schemas(schema.raw_schema, operation)
                    answers = _fuzz(operation, per_operation, client, base_url, auth, queries)
                    sent += len(answers)
                    failures += [f"{operation.label}: {wrong}" for wrong in answers if wrong]
        finally:
            client.portal.call(runtime.stop)
    print(f"{target.id}: {sent} generated requests over {len(operations)} operations")
    unique = sorted(set(failures))
    assert not unique, f"{len(unique)} failing case(s):\n" + "\n".join(unique[:40])
    if FUZZ_EXAMPLES:
        assert sent >= FUZZ_EXAMPLES, f"only {sent} cases generated for {target.id}"


def _query_schemas(document: dict[str, Any], operation: Any) -> dict[str, dict[str, Any]]:
    """The documented query parameters of ``operation``, by name."""
    declared = document["paths"][operation.path][operation.method.lower()].get("parameters", [])
    return {p["name"]: p.get("schema", {}) for p in declared if p.get("in") == "query"}


def _fuzz(
    operation: Any,
    examples: int,
    client: TestClient,
    base_url: str,
    auth: dict[str, str],
    queries: dict[str, dict[str, Any]],
) -> list[str | None]:
    """Generate ``examples`` cases of one operation, the first also at the edges; one
    verdict per request (None: fine)."""
    verdicts: list[str | None] = []
    edged = False

    @settings(
        max_examples=examples,
        derandomize=not FUZZ_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        nonlocal edged
        kwargs = case.as_transport_kwargs(base_url=base_url, headers=auth)
        if not edged:
            edged = True
            verdicts.extend(_at_the_edges(case, kwargs, client, base_url, auth, queries))
        response = _send(client, kwargs)
        wrong = _problem_details(response)
        if wrong is None:
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except (AssertionError, BaseExceptionGroup) as exc:
                wrong = _first_lines(exc)
        if wrong:
            wrong += (
                f"\n    {kwargs['method']} {kwargs['url']} params={kwargs.get('params')}"
                f" body={_body(kwargs)[:300]}\n    -> {response.status_code} {response.text[:300]}"
            )
        verdicts.append(wrong)

    run()
    return verdicts


def _at_the_edges(
    case: Any,
    kwargs: dict[str, Any],
    client: TestClient,
    base_url: str,
    auth: dict[str, str],
    queries: dict[str, dict[str, Any]],
) -> list[str | None]:
    """``case`` sent with one value at a time at an edge: never a 5xx, always a problem."""
    tried = list(variants(kwargs, queries))
    for name, value in (case.path_parameters or {}).items():
        for edge in PATH_EDGES:
            case.path_parameters = {**case.path_parameters, name: edge}
            tried.append((f"{{{name}}}={edge!r}", case.as_transport_kwargs(base_url, auth)))
            case.path_parameters = {**case.path_parameters, name: value}
    verdicts: list[str | None] = []
    for label, varied in tried:
        response = _send(client, varied)
        wrong = _problem_details(response)
        if wrong is None:
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except (AssertionError, BaseExceptionGroup) as exc:
                wrong = _first_lines(exc)
        if wrong:
            wrong += f"\n    edge {label}: {varied['method']} {varied['url']}"
            wrong += f"\n    -> {response.status_code} {response.text[:300]}"
        verdicts.append(wrong)
    return verdicts


def _first_lines(exc: BaseException) -> str:
    """The failure's name and message: schemathesis raises a group of check failures."""
    found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "; ".join(f"{type(e).__name__}: {str(e).strip()[:200]}" for e in found)


def _body(kwargs: dict[str, Any]) -> str:
    for key in ("json", "data", "content"):
        if key in kwargs:
            return repr(kwargs[key])
    return ""


def _send(client: TestClient, kwargs: dict[str, Any]) -> httpx.Response:
    """Send a case with the TestClient (httpx) from schemathesis' requests-style kwargs."""
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif "data" in kwargs:
        data = kwargs["data"]
        body["content" if isinstance(data, bytes | str) else "data"] = data
    if kwargs.get("files"):
        body["files"] = kwargs["files"]
    return client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params") or None,
        headers=kwargs.get("headers"),
        cookies=kwargs.get("cookies") or None,
        **body,
    )
