"""Webhooks received by a real HTTP server (uvicorn on a free loopback port): a provider's
client subscribes through the API, billing's and attendance's events are queued for the
subscriptions allowed to see them, and the sender delivers them signed (Standard Webhooks),
trying a failing receiver again with back-off; the delivery log shows every attempt."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from csa_identity.app import definition
from csa_identity.domain.webhooks import MAX_ATTEMPTS
from csa_identity.principals import service as principals
from csa_identity.tables import webhook_attempts, webhook_deliveries
from csa_identity.webhooks.poster import WebhookPoster
from csa_identity.webhooks.runtime import GROUPS
from csa_identity.webhooks.service import prune_delivery_log, send_due_deliveries
from csa_identity.webhooks.settings import WebhookSettings
from csa_shared.bus import Message
from csa_shared.events import new_event
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

from .conftest import Clock

pytestmark = pytest.mark.postgres


@dataclass
class Receiver:
    """A partner's endpoint: answers ``failures`` times 503, then 204; keeps every request."""

    url: str = ""
    failures: int = 0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        if len(self.received) <= self.failures:
            return Response("busy", status_code=503)
        return Response(status_code=204)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    port = free_port()
    found.url = f"http://127.0.0.1:{port}/hooks"
    app = Starlette(routes=[Route("/hooks", found.handle, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield found
    server.should_exit = True
    await serving


def drive_sender_here(runtime: ServiceRuntime) -> None:
    """Stop the runtime's own webhook sender: the test sends, at the times it chooses."""
    for task in runtime.background:
        if task.get_name() == "identity.webhook_sender":
            task.cancel()


@pytest.fixture
async def poster() -> AsyncIterator[WebhookPoster]:
    found = WebhookPoster(timeout=5)
    yield found
    await found.aclose()


async def client_token(
    api: httpx.AsyncClient, runtime: ServiceRuntime, provider_id: str
) -> dict[str, str]:
    client_id = f"{provider_id}-app"
    _, secret = await principals.create_client(
        runtime, provider_id=provider_id, client_id=client_id
    )
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    issued = await api.post("/v1/oauth/token", data=form)
    assert issued.status_code == 200, issued.text
    return {"Authorization": f"Bearer {issued.json()['access_token']}"}


async def subscribe(
    api: httpx.AsyncClient, headers: dict[str, str], url: str, *types: str
) -> dict[str, Any]:
    created = await api.post(
        "/v1/webhooks/subscriptions", json={"url": url, "event_types": list(types)}, headers=headers
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


@dataclass
class Partners:
    """Identity (its API, clock and webhook sender) and the receiver partners subscribe."""

    api: httpx.AsyncClient
    identity: ServiceRuntime
    clock: Clock
    receiver: Receiver
    poster: WebhookPoster

    async def subscribed(
        self, provider_id: str, *types: str
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """A client of the provider subscribes the receiver: (its auth headers, the answer)."""
        headers = await client_token(self.api, self.identity, provider_id)
        return headers, await subscribe(self.api, headers, self.receiver.url, *types)

    async def consume(self, producer: str, value: bytes) -> None:
        await consume(self.identity, producer, value)

    async def send(self, runtime: ServiceRuntime | None = None) -> int:
        return await send_due_deliveries(runtime or self.identity, self.poster, now=self.clock())

    async def log(self, headers: dict[str, str], created: dict[str, Any]) -> list[Any]:
        path = f"/v1/webhooks/subscriptions/{created['subscription_id']}/deliveries"
        answer = await self.api.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        found: list[Any] = answer.json()
        return found


@pytest.fixture
async def partners(
    api: httpx.AsyncClient,
    identity: ServiceRuntime,
    clock: Clock,
    receiver: Receiver,
    poster: WebhookPoster,
) -> Partners:
    """Plain http to the local receiver allowed; the test drives the sender."""
    identity.webhook_settings = WebhookSettings(WEBHOOK_ALLOW_HTTP_LOCALHOST=True)  # type: ignore[attr-defined]
    drive_sender_here(identity)
    return Partners(api, identity, clock, receiver, poster)


def presence(provider_id: str, presence_id: str = "pr-1") -> bytes:
    data = {
        "presence_id": presence_id,
        "provider_record_id": f"{provider_id}:{presence_id}",
        "record_id": presence_id,
        "provider_id": provider_id,
        "version": 1,
        "affects_closed_period": False,
        "child_id": "child-1",
        "start": "2026-09-01T07:30",
        "end": "2026-09-01T12:00",
        "minutes": 270,
        "billing_mode": "hours",
    }
    event = new_event(
        "lu.csa.attendance.presence.recorded.v1",
        source="/csa/attendance",
        subject=presence_id,
        data=data,
    )
    return event.to_json()


def invoice(kind: str, providers: list[str]) -> bytes:
    data = {
        "invoice_id": f"inv-{kind}",
        "number": "2026-09-000123",
        "month": "2026-09",
        "corrects_month": "2026-09",
        "child_id": "child-1",
        "household_id": "hh-1",
        "kind": kind,
        "original_invoice_id": None,
        "parent_total": "123.45",
        "state_total": "300.00",
        "providers": providers,
        "provider_id": providers[0],
    }
    event = new_event(
        "lu.csa.billing.invoice.issued.v1", source="/csa/billing", subject="child-1", data=data
    )
    return event.to_json()


async def consume(runtime: ServiceRuntime, producer: str, value: bytes) -> None:
    (consumer,) = [c for c in runtime.consumers if c.name == GROUPS[producer]]
    await consumer(Message(f"csa.{producer}.events", "k", value, 0, 0))


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's check, written from the Standard Webhooks specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    version, _, given = headers["webhook-signature"].partition(",")
    return version == "v1" and hmac.compare_digest(given, expected)


async def test_a_signed_delivery_reaches_the_subscribed_provider_s_receiver_only(
    partners: Partners, identity: ServiceRuntime, clock: Clock, receiver: Receiver
) -> None:
    own, created = await partners.subscribed("prov-1", "presence.recorded")
    secret = created["secret"]
    assert secret.startswith("whsec_")

    await partners.consume("attendance", presence("prov-2", "pr-other"))  # another provider's
    event = presence("prov-1")
    await partners.consume("attendance", event)
    await partners.consume("attendance", event)  # redelivered: queued once
    assert await partners.send() == 1
    assert await partners.send() == 0

    ((headers, body),) = receiver.received
    assert verified(secret, headers, body)
    assert not verified(secret, headers, body.replace(b"prov-1", b"prov-2"))
    assert headers["webhook-timestamp"] == str(int(clock().timestamp()))
    sent = json.loads(body)
    assert sent["type"] == "presence.recorded"
    assert sent["data"]["provider_id"] == "prov-1" and sent["data"]["presence_id"] == "pr-1"

    (delivery,) = await partners.log(own, created)
    assert delivery["delivery_id"] == headers["webhook-id"]
    assert delivery["status"] == "delivered" and delivery["next_attempt"] is None
    assert [a["status_code"] for a in delivery["attempts"]] == [204]

    # the log keeps a delivery done for 30 days
    clock.advance(days=30)
    assert await prune_delivery_log(identity, now=clock()) == 0
    clock.advance(seconds=1)
    assert await prune_delivery_log(identity, now=clock()) == 1
    async with identity.sessions() as session:
        for table in (webhook_deliveries, webhook_attempts):
            assert await session.scalar(select(func.count()).select_from(table)) == 0


async def test_a_receiver_failing_twice_gets_the_delivery_on_the_third_attempt(
    partners: Partners, clock: Clock, receiver: Receiver
) -> None:
    receiver.failures = 2
    own, created = await partners.subscribed("prov-1", "presence.recorded")
    await partners.consume("attendance", presence("prov-1"))

    assert await partners.send() == 0  # 503
    (pending,) = await partners.log(own, created)
    assert pending["status"] == "pending"
    assert pending["next_attempt"] == "2026-09-01T08:00:30Z"  # 30 s later
    assert await partners.send() == 0  # not due yet
    assert len(receiver.received) == 1

    clock.advance(seconds=30)
    assert await partners.send() == 0  # 503 again
    clock.advance(seconds=119)
    assert await partners.send() == 0  # 2 min: not yet
    clock.advance(seconds=1)
    assert await partners.send() == 1

    assert len(receiver.received) == 3
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1
    assert all(verified(created["secret"], h, b) for h, b in receiver.received)
    (delivery,) = await partners.log(own, created)
    assert delivery["status"] == "delivered"
    assert [(a["attempt"], a["status_code"]) for a in delivery["attempts"]] == [
        (1, 503),
        (2, 503),
        (3, 204),
    ]
    assert delivery["attempts"][0]["error"] == "busy"
    assert all(a["duration_ms"] >= 0 for a in delivery["attempts"])


async def test_a_receiver_that_never_answers_2xx_is_given_up_after_eight_attempts(
    partners: Partners, identity: ServiceRuntime, clock: Clock, receiver: Receiver
) -> None:
    receiver.failures = 100
    await partners.subscribed("prov-1", "presence.recorded")
    await partners.consume("attendance", presence("prov-1"))
    for _ in range(10):
        assert await partners.send() == 0
        clock.advance(hours=12)
    assert len(receiver.received) == MAX_ATTEMPTS == 8
    async with identity.sessions() as session:
        done = select(webhook_deliveries.c.status, webhook_deliveries.c.next_attempt)
        status, next_attempt = (await session.execute(done)).one()
        attempts = await session.scalar(select(func.count()).select_from(webhook_attempts))
    assert (status, next_attempt, attempts) == ("failed", None, 8)


async def test_a_pending_delivery_survives_a_restart(
    partners: Partners,
    identity: ServiceRuntime,
    identity_database_url: str,
    tmp_path: Any,
    receiver: Receiver,
) -> None:
    _, created = await partners.subscribed("prov-1", "invoice.issued")
    await partners.consume("billing", invoice("invoice", ["prov-1"]))
    await identity.stop()  # nothing sent yet: the process goes away

    settings = Settings(IDENTITY_DATABASE_URL=identity_database_url, CSA_VAR_DIR=str(tmp_path))
    restarted = definition.build_runtime(settings)
    await restarted.start(relay=False)
    drive_sender_here(restarted)
    try:
        assert await partners.send(restarted) == 1
    finally:
        await restarted.stop()
    ((headers, body),) = receiver.received
    assert verified(created["secret"], headers, body)  # the same secret after the restart
    assert json.loads(body)["data"]["invoice_id"] == "inv-invoice"


async def test_invoices_go_to_every_provider_of_the_invoice_as_each_chose(
    partners: Partners, receiver: Receiver
) -> None:
    await partners.subscribed("prov-1", "invoice.issued", "adjustment.issued")
    await partners.subscribed("prov-2", "invoice.issued")
    await partners.subscribed("prov-3", "invoice.issued", "adjustment.issued")

    await partners.consume("billing", invoice("invoice", ["prov-1", "prov-2"]))
    await partners.consume("billing", invoice("adjustment", ["prov-1", "prov-2"]))
    assert await partners.send() == 3
    sent = sorted(json.loads(body)["type"] for _, body in receiver.received)
    assert sent == ["adjustment.issued", "invoice.issued", "invoice.issued"]
    for _, body in receiver.received:
        assert b"123.45" not in body and b"hh-1" not in body  # the family's amounts stay


async def test_subscriptions_are_the_client_s_own_and_bad_targets_are_problems(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    own = await client_token(api, identity, "prov-1")
    other = await client_token(api, identity, "prov-2")
    base = "/v1/webhooks/subscriptions"
    for url in ("http://crechesoft.example.lu/hooks", "http://127.0.0.1:9/hooks", "ftp://x.lu/"):
        refused = await api.post(
            base, json={"url": url, "event_types": ["presence.recorded"]}, headers=own
        )
        assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM_JSON)
        assert "https" in refused.json()["detail"]
    for body in (
        {"url": "https://x.lu/hooks", "event_types": ["child.registered"]},
        {"url": "https://x.lu/hooks", "event_types": []},
        {"url": "https://x.lu/hooks"},
    ):
        refused = await api.post(base, json=body, headers=own)
        assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM_JSON)

    created = await subscribe(api, own, "https://crechesoft.example.lu/hooks", "statement.issued")
    path = f"{base}/{created['subscription_id']}"
    listed = (await api.get(base, headers=own)).json()
    assert [s["subscription_id"] for s in listed] == [created["subscription_id"]]
    assert "secret" not in listed[0] and "secret" not in (await api.get(path, headers=own)).json()
    assert (await api.get(base, headers=other)).json() == []
    for method in ("GET", "DELETE"):
        hidden = await api.request(method, path, headers=other)
        assert (hidden.status_code, hidden.headers["content-type"]) == (404, PROBLEM_JSON)
    assert (await api.get(f"{path}/deliveries", headers=other)).status_code == 404

    assert (await api.delete(path, headers=own)).status_code == 204
    assert (await api.get(path, headers=own)).status_code == 404
    assert (await api.get(base, headers=own)).json() == []
