"""Request ids, access log lines and Prometheus metrics for every request."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csa_shared.observability import metrics
from csa_shared.observability.logging import request_id


class RequestContextMiddleware:
    """Propagate or mint ``X-Request-ID``; count, time and log the request per route.

    The access line names the route's template, never the raw path or query (they may
    carry identifiers); the probes and the scrape are logged at DEBUG only. The metric
    children of each (method, route, status) are looked up once and kept (issue 24)."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    def _count(self, method: str, route: str, status: int, elapsed: float) -> None:
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = metrics.HTTP_REQUESTS.labels(self.service, method, route, str(status))
            self._counters[method, route, status] = counter
        timer = self._timers.get((method, route))
        if timer is None:
            timer = metrics.HTTP_LATENCY.labels(self.service, method, route)
            self._timers[method, route] = timer
        counter.inc()
        timer.observe(elapsed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _given_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (_ID, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = _route_template(scope)
            method = scope.get("method", "GET")
            elapsed = time.perf_counter() - started
            self._count(method, path, status, elapsed)
            _log_access(self.service, method, path, status, elapsed)
            request_id.reset(token)


_ID = b"x-request-id"


def _given_id(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` (the last one given), at most 64 characters."""
    given = b""
    for name, value in scope.get("headers") or ():
        if name == _ID:
            given = value
    return bytes(given).decode("latin-1")[:64]


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


_TEMPLATES: dict[tuple[str, bool], str] = {}


def _route_template(scope: Scope) -> str:
    """The matched route's template (bounded label values), with the ``/v1`` include prefix.

    FastAPI's included routers report their route path without the include prefix.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None:
        return "unmatched"
    key = (template, scope.get("path", "").startswith(API_PREFIX + "/"))
    found = _TEMPLATES.get(key)
    if found is None:
        prefixed = key[1] and not template.startswith(API_PREFIX)
        found = _TEMPLATES[key] = API_PREFIX + template if prefixed else str(template)
    return found
