"""Kafka topics: one per producing service; the event type names its producer."""

from __future__ import annotations

TOPICS = {
    "identity": "csa.identity.events",
    "membership": "csa.membership.events",
    "attendance": "csa.attendance.events",
    "billing": "csa.billing.events",
}


def topic_of(event_type: str) -> str:
    """``lu.csa.attendance.presence.recorded.v1`` → ``csa.attendance.events``."""
    parts = event_type.split(".")
    if len(parts) < 5 or parts[:2] != ["lu", "csa"] or parts[2] not in TOPICS:
        raise ValueError(f"not a CSA event type: {event_type!r}")
    return TOPICS[parts[2]]
