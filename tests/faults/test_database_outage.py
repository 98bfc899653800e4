"""Each service with its database gone (nothing listens on its port): a request answers
503 with `Retry-After` in problem details, as a provider's system can tell from a defect
(a 500), and `/readyz` takes the pod out. Read requests were retried inside first."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from csa.services import definition
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.settings import Settings
from csa_shared.testing.broker import free_port
from csa_shared.testing.tokens import TestTokens

TOKENS = TestTokens()
EXPORT = ("GET", "/v1/privacy/children/child-a/export", None)
REQUESTS = {
    "identity": ("POST", "/v1/login", {"iam_code": "MusMa123", "password": "x" * 12}),
    "membership": EXPORT,
    "attendance": EXPORT,
    "billing": EXPORT,
}


@pytest.mark.parametrize("service", list(REQUESTS))
async def test_a_database_outage_answers_503_with_retry_after(tmp_path: Path, service) -> None:
    (tmp_path / "jwks.json").write_text(json.dumps(TOKENS.jwks()), encoding="utf-8")
    gone = f"postgresql://csa@127.0.0.1:{free_port()}/{service}"
    settings = Settings(CSA_VAR_DIR=tmp_path, **{f"{service.upper()}_DATABASE_URL": gone})
    served = definition(service)
    runtime = served.build_runtime(settings)
    app = served.create_app(runtime, manage_lifecycle=False)
    method, path, body = REQUESTS[service]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            answer = await client.request(
                method, path, json=body, headers=TOKENS.header(TOKENS.privacy_officer())
            )
            ready = await client.get("/readyz")
    finally:
        await runtime.stop()

    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["type"].endswith("/unavailable")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] is False
