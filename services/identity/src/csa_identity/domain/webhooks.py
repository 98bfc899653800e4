"""Webhooks for partners' apps (provider software): which platform events a provider's
client may receive and what each carries, where a delivery may go, how it is signed
(Standard Webhooks, https://www.standardwebhooks.com) and when a failed one is tried again.

A subscription belongs to one OAuth client (client credentials, scoped ``provider:<id>``);
it receives only the events of its own provider: presences the provider recorded, the
provider's statements, and the invoices of the children it cares for (without the family's
amounts: the provider is not the payer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

# webhook event type → the platform event it comes from (csa_shared/events/schemas)
EVENT_TYPES: dict[str, str] = {
    "invoice.issued": "lu.csa.billing.invoice.issued.v1",
    "adjustment.issued": "lu.csa.billing.invoice.issued.v1",
    "statement.issued": "lu.csa.billing.statement.issued.v1",
    "presence.recorded": "lu.csa.attendance.presence.recorded.v1",
    "presence.corrected": "lu.csa.attendance.presence.corrected.v1",
    "presence.voided": "lu.csa.attendance.presence.voided.v1",
}
SOURCE_EVENTS = frozenset(EVENT_TYPES.values())
INVOICE_FIELDS = (
    "invoice_id",
    "number",
    "month",
    "corrects_month",
    "kind",
    "original_invoice_id",
    "child_id",
)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_URL_LENGTH = 2000

SECRET_PREFIX = "whsec_"
SECRET_CONTEXT = b"csa.webhook.secret\x00"

# back-off: 30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h 32 min, 12 h; then given up
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=12)


@dataclass(frozen=True)
class Notification:
    """What one platform event tells the subscribers: its webhook type, the providers
    allowed to see it and the payload's ``data``."""

    type: str
    provider_ids: frozenset[str]
    data: dict[str, Any]


def notification_of(event_type: str, data: dict[str, Any]) -> Notification | None:
    """The webhook notification of a platform event, None for events no partner receives."""
    if event_type == EVENT_TYPES["invoice.issued"]:
        kind = "adjustment" if data.get("kind") == "adjustment" else "invoice"
        providers = {str(p) for p in data.get("providers") or ()}
        if data.get("provider_id"):
            providers.add(str(data["provider_id"]))
        shown = {name: data.get(name) for name in INVOICE_FIELDS}
        return Notification(f"{kind}.issued", frozenset(providers), shown)
    for webhook_type, source in EVENT_TYPES.items():
        if source == event_type and data.get("provider_id"):
            return Notification(webhook_type, frozenset({str(data["provider_id"])}), dict(data))
    return None


def payload(notification: Notification, *, occurred_at: datetime) -> str:
    """The body sent (and signed) on every attempt: ``{"type", "timestamp", "data"}``."""
    body = {
        "type": notification.type,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "data": notification.data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def target_problem(url: str, *, allow_http_localhost: bool) -> str | None:
    """What is wrong with a delivery target, None when it may be used: https with a host,
    no credentials or fragment; plain http only to this machine when the setting allows
    (development)."""
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is longer than {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "the URL cannot be read"
    if not host:
        return "the URL needs a host"
    if parts.username or parts.password:
        return "the URL must not carry credentials"
    if parts.fragment:
        return "the URL must not have a fragment"
    if allow_http_localhost and host in LOCAL_HOSTS and parts.scheme in ("http", "https"):
        return None
    if parts.scheme != "https":
        return "the URL must use https"
    if host in LOCAL_HOSTS or _internal_address(host):
        return "the URL must name a public host, not an internal address"
    return None


def _internal_address(host: str) -> bool:
    """An IP literal of a loopback, private, link-local (cloud metadata) or reserved range;
    a name is checked where it resolves (the deployment's egress policy)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def derive_secret(pepper: bytes, salt: bytes) -> str:
    """The subscription's signing secret, ``whsec_<base64 of 32 bytes>``: derived from the
    server pepper and the subscription's random salt, so the database alone holds no
    secret; shown once, at creation."""
    key = hmac.new(pepper, SECRET_CONTEXT + salt, hashlib.sha256).digest()
    return SECRET_PREFIX + base64.b64encode(key).decode()


def signature(secret: str, *, message_id: str, timestamp: int, body: str) -> str:
    """``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256, keyed with the secret's
    bytes, of ``<webhook-id>.<webhook-timestamp>.<body>`` (Standard Webhooks)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, *, message_id: str, at: datetime, body: str) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: 30 s, times four each time, at most 12 h."""
    factor: int = 4 ** min(max(0, attempts - 1), 16)
    return min(FIRST_RETRY * factor, LONGEST_RETRY)


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after the ``attempts``-th failure; None once given up."""
    return None if attempts >= MAX_ATTEMPTS else now + retry_delay(attempts)


def delivered(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
