"""API models of the webhook subscriptions and their delivery log (with examples)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from csa_shared.http.bounds import SafeText

WebhookEventType = Literal[
    "invoice.issued",
    "adjustment.issued",
    "statement.issued",
    "presence.recorded",
    "presence.corrected",
    "presence.voided",
]
DeliveryStatus = Literal["pending", "delivered", "failed"]

SUBSCRIPTION_ID = "0b7c5e3e-8a56-4d2b-9f1e-7d1c2a4b6e90"
CREATED = "2026-09-01T08:00:00Z"


def _example(**values: object) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class SubscriptionIn(BaseModel):
    model_config = _example(
        url="https://crechesoft.example.lu/csa/webhooks",
        event_types=["presence.recorded", "statement.issued"],
        description="Crèche software, production",
    )
    url: SafeText = Field(
        min_length=1,
        max_length=2000,
        description="Where to POST the deliveries: https (plain http to localhost only where "
        "`WEBHOOK_ALLOW_HTTP_LOCALHOST` allows it, in development)",
    )
    event_types: list[WebhookEventType] = Field(
        min_length=1, max_length=6, description="The webhook event types to receive"
    )
    description: SafeText | None = Field(
        default=None, max_length=200, description="A note of your own naming the receiver"
    )


class SubscriptionOut(BaseModel):
    model_config = _example(
        subscription_id=SUBSCRIPTION_ID,
        client_id="prov-42-billing",
        provider_id="prov-42",
        url="https://crechesoft.example.lu/csa/webhooks",
        event_types=["presence.recorded", "statement.issued"],
        description="Crèche software, production",
        created_at=CREATED,
    )
    subscription_id: str = Field(description="The subscription's id")
    client_id: str = Field(description="The OAuth client that subscribed (and alone sees it)")
    provider_id: str = Field(description="The provider whose events are delivered")
    url: str = Field(description="Where the deliveries are POSTed")
    event_types: list[WebhookEventType] = Field(
        description="The webhook event types received, sorted, each once"
    )
    description: str | None = Field(default=None, description="The client's note; null if none")
    created_at: datetime = Field(description="When the subscription was made (UTC)")


class NewSubscriptionOut(SubscriptionOut):
    model_config = _example(
        subscription_id=SUBSCRIPTION_ID,
        client_id="prov-42-billing",
        provider_id="prov-42",
        url="https://crechesoft.example.lu/csa/webhooks",
        event_types=["presence.recorded"],
        description=None,
        created_at=CREATED,
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw4ZwI+gVfZ9c=",
    )
    secret: str = Field(
        description="The signing secret (Standard Webhooks `whsec_…`), shown only in this answer"
    )


class AttemptOut(BaseModel):
    attempt: int = Field(description="The attempt's number, from 1")
    at: datetime = Field(description="When the attempt was made (UTC)")
    status_code: int | None = Field(description="The receiver's answer; null when none came")
    duration_ms: int = Field(description="Milliseconds until the answer (or the failure)")
    error: str | None = Field(
        default=None,
        description="A non-2xx answer's body (its start) or reason phrase, or why none came; "
        "null on 2xx",
    )


class DeliveryOut(BaseModel):
    model_config = _example(
        delivery_id="msg_5f0c2b9d7e4a4c1f8b3a6d2e9c1f0a7b",
        event_id="9d2f4c1e-3b5a-4e6f-8a7b-1c2d3e4f5a6b",
        event_type="presence.recorded",
        status="delivered",
        attempts=[
            {"attempt": 1, "at": CREATED, "status_code": 503, "duration_ms": 41, "error": "busy"},
            {"attempt": 2, "at": "2026-09-01T08:00:30Z", "status_code": 200, "duration_ms": 12},
        ],
        next_attempt=None,
        created_at=CREATED,
    )
    delivery_id: str = Field(description="The `webhook-id` header of every attempt")
    event_id: str = Field(description="The CloudEvents id of the platform event")
    event_type: WebhookEventType = Field(description="The webhook event type delivered")
    status: DeliveryStatus = Field(
        description="pending (to be tried again), delivered (a 2xx came) or failed (every "
        "attempt spent)"
    )
    attempts: list[AttemptOut] = Field(description="The attempts so far, first first")
    next_attempt: datetime | None = Field(description="When it is tried again (pending only)")
    created_at: datetime = Field(description="When the delivery was queued (UTC)")
