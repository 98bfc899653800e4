"""The payloads partners receive, as the ``webhooks`` section of identity's OpenAPI document
(OpenAPI 3.1): one POST per webhook event type, its signature headers, and a body whose
``data`` is the platform event's schema (``csa_shared/events/schemas``), so the description
follows the events; an invoice's without the family's amounts."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, FastAPI

from csa_identity.domain.webhooks import EVENT_TYPES, INVOICE_FIELDS
from csa_shared.events.schemas import data_schema

HEADERS = {
    "webhook-id": "The delivery's id (`msg_…`), the same on every attempt: deduplicate on it",
    "webhook-timestamp": "Unix seconds of this attempt; refuse one too far from your clock",
    "webhook-signature": "`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>"
    ".<body>`, keyed with the base64-decoded part of the subscription's secret after `whsec_` "
    "(Standard Webhooks); compare in constant time",
}
ANSWER = {
    "default": {
        "description": "Any other answer, or none within 10 s: tried again after 30 s, then "
        "four times longer each time (at most 12 h), 8 attempts in all"
    },
}


def _data(webhook_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = copy.deepcopy(data_schema(EVENT_TYPES[webhook_type]))
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    if webhook_type.endswith(".issued") and webhook_type != "statement.issued":
        schema["properties"] = {k: schema["properties"][k] for k in INVOICE_FIELDS}
        schema["required"] = list(INVOICE_FIELDS)
        schema["description"] = "The invoice's ids, without the family's amounts"
    schema.setdefault("description", schema.get("title", "The event's data"))
    return schema


def _header(name: str, text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": text,
        "schema": {"type": "string"},
    }


def _operation(webhook_type: str) -> dict[str, Any]:
    body = {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {
                "type": "string",
                "const": webhook_type,
                "description": "The webhook event type",
            },
            "timestamp": {
                "type": "string",
                "format": "date-time",
                "description": "When the platform event occurred (its CloudEvents time)",
            },
            "data": _data(webhook_type),
        },
    }
    return {
        "operationId": "webhook_" + webhook_type.replace(".", "_"),
        "parameters": [
            {
                "name": name,
                "in": "header",
                "required": True,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in HEADERS.items()
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": ANSWER,
    }


def describe(app: FastAPI) -> None:
    """Add one webhook per event type a subscription may choose."""
    router = APIRouter()
    for webhook_type, source in EVENT_TYPES.items():

        async def receive() -> None:  # pragma: no cover - a description, never served
            return None

        router.add_api_route(
            f"/{webhook_type}",
            receive,
            methods=["POST"],
            status_code=204,
            response_description="Taken (any 2xx answer does): the delivery is done",
            summary=f"{webhook_type} (from {source})",
            tags=["webhooks"],
            openapi_extra=_operation(webhook_type),
        )
    app.webhooks.include_router(router)
