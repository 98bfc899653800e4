"""The HTTP SMS gateway against a real local HTTP server: delivered messages, and a failing
gateway answered with 503 problem details + Retry-After while nothing is lost or spent."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from csa_identity.adapters.sms import HttpSmsGateway
from csa_identity.context import IdentityContext
from csa_shared.runtime import ServiceRuntime

from .conftest import PASSWORD, card_for

pytestmark = pytest.mark.postgres


class Gateway:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if owner.status < 300:
                    owner.received.append(json.loads(body))
                owner.auth.append(self.headers.get("Authorization"))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"


@pytest.fixture
def gateway(context: IdentityContext) -> Iterator[Gateway]:
    running = Gateway()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    context.sms = HttpSmsGateway(running.url, token="gw-token")
    yield running
    running.server.shutdown()
    running.server.server_close()


async def test_failed_send_is_503_with_retry_after_and_the_flow_can_be_retried(
    api: httpx.AsyncClient, identity: ServiceRuntime, gateway: Gateway
) -> None:
    iam_code, linking = await card_for(api, identity, "child-1")
    start = {
        "iam_code": iam_code,
        "linking_code": linking,
        "password": PASSWORD,
        "mobile": "+352 621 123 456",
    }
    gateway.status = 502
    failures = {"service": "identity", "channel": "sms"}
    before = REGISTRY.get_sample_value("csa_notification_failures_total", failures) or 0
    failed = await api.post("/v1/registrations", json=start, headers={"Accept-Language": "de"})
    assert failed.status_code == 503, failed.text
    assert REGISTRY.get_sample_value("csa_notification_failures_total", failures) == before + 1
    assert failed.headers["content-type"].startswith("application/problem+json")
    assert failed.json()["error"] == "sms.unavailable"
    assert "SMS" in failed.json()["detail"]
    assert int(failed.headers["Retry-After"]) > 0
    assert (await api.get("/v1/dev/sms")).json() == []  # no send recorded (rate limits intact)

    gateway.status = 200
    retried = await api.post("/v1/registrations", json=start)
    assert retried.status_code == 202, retried.text  # linking code not spent by the failure
    (sent,) = gateway.received
    assert sent["to"] == "+352621123456"
    assert gateway.auth[-1] == "Bearer gw-token"
    code = re.search(r"\b(\d{6})\b", sent["text"]).group(1)
    confirmed = await api.post(
        "/v1/registrations/confirm", json={"flow_id": retried.json()["flow_id"], "code": code}
    )
    assert confirmed.status_code == 201, confirmed.text
    recorded = (await api.get("/v1/dev/sms")).json()
    assert [r["gateway"] for r in recorded] == ["http"]


async def test_unreachable_gateway_is_503(
    api: httpx.AsyncClient, identity: ServiceRuntime, context: IdentityContext
) -> None:
    with socket_closed() as url:
        context.sms = HttpSmsGateway(url, timeout=2.0)
        iam_code, linking = await card_for(api, identity, "child-2")
        failed = await api.post(
            "/v1/registrations",
            json={
                "iam_code": iam_code,
                "linking_code": linking,
                "password": PASSWORD,
                "mobile": "+352 621 123 457",
            },
        )
    assert (failed.status_code, failed.json()["error"]) == (503, "sms.unavailable")


class socket_closed:
    """A local URL nobody listens on (port taken from a closed server)."""

    def __enter__(self) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        port = server.server_address[1]
        server.server_close()
        return f"http://127.0.0.1:{port}/sms"

    def __exit__(self, *exc: object) -> None:
        return None
