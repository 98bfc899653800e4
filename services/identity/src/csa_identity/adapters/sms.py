"""SMS gateway: an HTTP implementation (``SMS_GATEWAY_URL``) and a database sink.

Every SMS is also recorded in ``sms_messages`` (the send history the rate limits read);
with the sink, that row is all there is, and embedded mode shows it at ``GET /v1/dev/sms``.

A failed send raises ``SmsDeliveryFailed`` (a ``SmsUnavailable`` domain error: 503 problem
details with ``Retry-After``) inside the use case's unit of work, so the pending flow, the
spent linking code and the send record roll back together: the parent simply retries.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from csa_identity.domain.errors import SmsUnavailable
from csa_shared.observability import metrics
from csa_shared.settings import Settings


class SmsDeliveryFailed(SmsUnavailable):
    """The gateway refused or could not be reached."""


class SmsGateway(Protocol):
    name: str

    async def send(self, *, phone: str, text: str) -> None: ...


class SinkSmsGateway:
    """Development and tests: the row in ``sms_messages`` is the delivery."""

    name = "sink"

    async def send(self, *, phone: str, text: str) -> None:
        return None


class HttpSmsGateway:
    """POST ``{"to": "+352…", "text": "…"}`` as JSON to the provider's URL."""

    name = "http"

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 5.0) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = timeout

    async def send(self, *, phone: str, text: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(
                    self._url, json={"to": phone, "text": text}, headers=self._headers
                )
                response.raise_for_status()
        except httpx.HTTPError as exc:
            metrics.NOTIFICATION_FAILURES.labels("identity", "sms").inc()
            raise SmsDeliveryFailed(str(exc)) from exc


def gateway_from_settings(settings: Settings) -> SmsGateway:
    """``SMS_GATEWAY_URL`` with the bearer token ``SMS_GATEWAY_TOKEN`` (or ``_FILE``); the
    sink without a URL (embedded mode and tests; ``csa serve`` refuses that)."""
    if settings.sms_gateway_url:
        token = settings.sms_gateway_token
        return HttpSmsGateway(
            settings.sms_gateway_url, token=token.get_secret_value() if token else None
        )
    return SinkSmsGateway()
