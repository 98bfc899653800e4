"""Prometheus metrics; one registry per process, labelled by service.

Counters and histograms are updated where things happen; the gauges of state kept in the
database or the connection pool (outbox backlog, pool use) are sampled when Prometheus
scrapes ``/metrics`` (``observability.sampling``), so they are never staler than a scrape.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
OUTBOX_BACKLOG = Gauge(
    "csa_outbox_backlog_events",
    "Events in the outbox waiting for the broker (sampled at scrape)",
    ["service"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "csa_outbox_oldest_age_seconds",
    "Age of the oldest outbox row waiting for the broker, 0 when none (sampled at scrape)",
    ["service"],
)
EVENTS_CONSUMED = Counter(
    "csa_events_consumed_total", "Events handled by consumers", ["consumer", "type", "outcome"]
)
CONSUMER_LAG = Gauge(
    "csa_consumer_lag_messages",
    "Messages on a partition after the consumer group's position (at its last fetch)",
    ["group", "topic", "partition"],
)
CLOSE_SECONDS = Histogram(
    "csa_billing_close_seconds",
    "Duration of a billing period close that finished the period",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
DB_POOL_IN_USE = Gauge(
    "csa_db_pool_connections_in_use",
    "Database connections checked out of the pool (sampled at scrape)",
    ["service"],
)
DB_POOL_SIZE = Gauge(
    "csa_db_pool_connections_max",
    "Connections the pool may hold: pool size plus overflow (sampled at scrape)",
    ["service"],
)
NOTIFICATION_FAILURES = Counter(
    "csa_notification_failures_total",
    "Messages to people that could not be sent (channel: sms or email)",
    ["service", "channel"],
)
