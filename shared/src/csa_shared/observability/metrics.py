"""Prometheus metrics; one registry per process, labelled by service."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "csa_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "csa_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)
OUTBOX_PUBLISHED = Counter("csa_outbox_published_total", "Outbox events published", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "csa_outbox_publish_failures_total", "Outbox passes stopped by the broker", ["service"]
)
EVENTS_CONSUMED = Counter(
    "csa_events_consumed_total", "Events handled by consumers", ["consumer", "type", "outcome"]
)
