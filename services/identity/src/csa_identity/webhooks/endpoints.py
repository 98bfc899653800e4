"""Webhook subscriptions of a provider's OAuth client and their delivery log (thin); the
payloads sent are described in the OpenAPI document's ``webhooks`` (webhooks/described.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from csa_identity.webhooks import service
from csa_identity.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    NewSubscriptionOut,
    SubscriptionIn,
    SubscriptionOut,
)
from csa_shared.auth import Principal, PrincipalKind, Role, require_kind, require_role
from csa_shared.auth.errors import Forbidden
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses

router = APIRouter(prefix="/webhooks/subscriptions", tags=["webhooks"])


async def provider_client(principal: Principal = Depends(authenticated)) -> Principal:
    """Subscriptions belong to a provider system's client (client-credentials token)."""
    require_kind(principal, PrincipalKind.PROVIDER)
    require_role(principal, Role.PROVIDER_SYSTEM)
    if not principal.provider_id:
        raise Forbidden("the token names no provider")
    return principal


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in SubscriptionOut.model_fields}


@router.post(
    "",
    status_code=201,
    summary="Subscribe the calling client to events (the signing secret is shown once)",
    description="Deliveries are signed as Standard Webhooks do: `webhook-id`, "
    "`webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of "
    "`<id>.<timestamp>.<body>`, keyed with the secret's base64-decoded part after `whsec_`). "
    "A client receives only its own provider's events; a receiver that does not answer 2xx "
    "is tried again with back-off (30 s, then four times longer each time, at most 12 h; "
    "8 attempts).",
    responses=problem_responses(422),
)
async def create_subscription(
    body: SubscriptionIn, request: Request, principal: Principal = Depends(provider_client)
) -> NewSubscriptionOut:
    row, secret = await service.subscribe(
        runtime_of(request),
        principal,
        url=body.url,
        event_types=list(body.event_types),
        description=body.description,
    )
    return NewSubscriptionOut(**_out(row), secret=secret)


@router.get("", summary="The calling client's webhook subscriptions", responses=problem_responses())
async def list_subscriptions(
    request: Request, principal: Principal = Depends(provider_client)
) -> list[SubscriptionOut]:
    rows = await service.subscriptions_of(runtime_of(request), principal)
    return [SubscriptionOut(**_out(row)) for row in rows]


@router.get(
    "/{subscription_id}",
    summary="One of the calling client's webhook subscriptions",
    responses=problem_responses(404),
)
async def get_subscription(
    subscription_id: str, request: Request, principal: Principal = Depends(provider_client)
) -> SubscriptionOut:
    row = await service.subscription(runtime_of(request), principal, subscription_id)
    return SubscriptionOut(**_out(row))


@router.delete(
    "/{subscription_id}",
    status_code=204,
    summary="Delete a subscription with its pending deliveries and log",
    responses=problem_responses(404),
)
async def delete_subscription(
    subscription_id: str, request: Request, principal: Principal = Depends(provider_client)
) -> Response:
    await service.unsubscribe(runtime_of(request), principal, subscription_id)
    return Response(status_code=204)


@router.get(
    "/{subscription_id}/deliveries",
    summary="The delivery log: the newest 100 deliveries, each with its attempts",
    responses=problem_responses(404),
)
async def list_deliveries(
    subscription_id: str, request: Request, principal: Principal = Depends(provider_client)
) -> list[DeliveryOut]:
    rows = await service.delivery_log(runtime_of(request), principal, subscription_id)
    return [
        DeliveryOut(
            delivery_id=row["delivery_id"],
            event_id=row["event_id"],
            event_type=row["event_type"],
            status=row["status"],
            attempts=[
                AttemptOut(**{name: a[name] for name in AttemptOut.model_fields})
                for a in row["attempt_log"]
            ],
            next_attempt=row["next_attempt"],
            created_at=row["created_at"],
        )
        for row in rows
    ]
