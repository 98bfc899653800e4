"""Request ids, access log lines and Prometheus metrics for every request."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csa_shared.observability import metrics
from csa_shared.observability.logging import request_id


class RequestContextMiddleware:
    """Propagate or mint ``X-Request-ID``; count, time and log the request per route.

    The access line names the route's template, never the raw path or query (they may
    carry identifiers); the probes and the scrape are logged at DEBUG only."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = _route_template(scope)
            method = scope.get("method", "GET")
            elapsed = time.perf_counter() - started
            metrics.HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, path).observe(elapsed)
            _log_access(self.service, method, path, status, elapsed)
            request_id.reset(token)


access_log = logging.getLogger("csa.access")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def _log_access(service: str, method: str, route: str, status: int, elapsed: float) -> None:
    level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
    if not access_log.isEnabledFor(level):
        return
    duration_ms = elapsed * 1000
    access_log.log(
        level,
        "%s %s %s %.1f ms",
        method,
        route,
        status,
        duration_ms,
        extra={
            "service": service,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
        },
    )


API_PREFIX = "/v1"


def _route_template(scope: Scope) -> str:
    """The matched route's template (bounded label values), with the ``/v1`` include prefix.

    FastAPI's included routers report their route path without the include prefix.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None:
        return "unmatched"
    if scope.get("path", "").startswith(API_PREFIX + "/") and not template.startswith(API_PREFIX):
        return API_PREFIX + template
    return str(template)
