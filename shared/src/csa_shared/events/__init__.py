"""CloudEvents 1.0 envelope and the JSON Schema of every event type."""

from csa_shared.events.envelope import (
    Envelope,
    InvalidEvent,
    cloudevent,
    encode_document,
    new_event,
    parse_event,
)
from csa_shared.events.topics import TOPICS, topic_of

__all__ = [
    "TOPICS",
    "Envelope",
    "InvalidEvent",
    "cloudevent",
    "encode_document",
    "new_event",
    "parse_event",
    "topic_of",
]
