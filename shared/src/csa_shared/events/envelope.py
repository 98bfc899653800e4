"""The CloudEvents 1.0 structured-mode envelope, validated against the repo's schemas.

Validation runs on publish (an event that breaks its schema never leaves the service)
and on consume (a consumer never acts on an event it does not understand).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson

from csa_shared.events.schemas import validate_event
from csa_shared.observability.tracing import current_trace, trace_of


class InvalidEvent(ValueError):
    """The document is not a CloudEvent of a known type, or its data breaks the schema."""


@dataclass(frozen=True, slots=True)
class Envelope:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    specversion: str = "1.0"
    datacontenttype: str = "application/json"
    # the distributed-tracing extension: the trace context of the span that made the event
    trace: tuple[tuple[str, str], ...] = field(
        default_factory=lambda: tuple(current_trace().items())
    )

    @property
    def key(self) -> str:
        """The Kafka message key: the aggregate id, carried as the CloudEvents subject."""
        return self.subject

    def to_dict(self) -> dict[str, Any]:
        return cloudevent(
            self.id, self.type, self.source, self.subject, self.time, self.data,
            specversion=self.specversion, datacontenttype=self.datacontenttype,
            trace=dict(self.trace),
        )  # fmt: skip

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), default=str).encode()


def cloudevent(
    event_id: str,
    event_type: str,
    source: str,
    subject: str,
    time: str,
    data: dict[str, Any],
    *,
    specversion: str = "1.0",
    datacontenttype: str = "application/json",
    trace: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The structured-mode document of an event, its attributes in the order every service
    writes them; bulk paths build it without an ``Envelope`` per event. ``trace``: the
    distributed-tracing attributes, by default the current span's (none without tracing)."""
    return {
        "specversion": specversion,
        "id": event_id,
        "source": source,
        "type": event_type,
        "subject": subject,
        "time": time,
        "datacontenttype": datacontenttype,
        "data": data,
        **(current_trace() if trace is None else trace),
    }


def encode_document(document: dict[str, Any]) -> str:
    """The JSON text of a CloudEvent document as ``Envelope.to_json`` writes it (compact,
    ASCII, ``str`` fallback; dates and datetimes in ISO format), by orjson: several times
    faster. orjson writes non-ASCII text as UTF-8, so such a (rare) document is written by
    ``json`` instead, escaped as before."""
    try:
        text = orjson.dumps(document, default=str).decode()
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits
        return _ASCII(document)
    return text if text.isascii() else _ASCII(document)


def _iso_or_str(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


_ASCII = json.JSONEncoder(separators=(",", ":"), default=_iso_or_str).encode


def new_event(
    event_type: str,
    *,
    source: str,
    subject: str,
    data: dict[str, Any],
    time: datetime | None = None,
) -> Envelope:
    """Build and validate a new event; raises ``InvalidEvent`` if it breaks its schema."""
    envelope = Envelope(
        type=event_type,
        source=source,
        subject=subject,
        data=json.loads(json.dumps(data, default=str)),
        time=(time or datetime.now(UTC)).isoformat(),
    )
    _check(envelope.to_dict())
    return envelope


def parse_event(raw: bytes | str) -> Envelope:
    """Decode and validate one structured-mode CloudEvent."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from exc
    _check(document)
    return Envelope(
        type=document["type"],
        source=document["source"],
        subject=document["subject"],
        data=document["data"],
        id=document["id"],
        time=document["time"],
        specversion=document["specversion"],
        datacontenttype=document.get("datacontenttype", "application/json"),
        trace=trace_of(document),
    )


def _check(document: Any) -> None:
    problems = validate_event(document)
    if problems:
        raise InvalidEvent("; ".join(problems))
