"""CloudEvents envelope: validated on publish and on consume."""

from __future__ import annotations

import json

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from csa_shared.events import InvalidEvent, new_event, parse_event, topic_of
from csa_shared.events.schemas import known_event_types
from csa_shared.observability.tracing import configure_tracing, stop_tracing
from csa_shared.settings import Settings

PRESENCE = {
    "presence_id": "p-1",
    "provider_id": "sea-1",
    "provider_record_id": "r-1",
    "child_id": "c-1",
    "start": "2025-03-03T08:00:00",
    "end": "2025-03-03T17:00:00",
    "version": 1,
}
TYPE = "lu.csa.attendance.presence.recorded.v1"


def test_new_event_round_trips_as_structured_cloudevent() -> None:
    event = new_event(TYPE, source="/csa/attendance", subject="c-1", data=PRESENCE)
    document = json.loads(event.to_json())

    assert document["specversion"] == "1.0"
    assert document["type"] == TYPE
    assert parse_event(event.to_json()) == event
    assert event.key == "c-1"


def test_event_breaking_its_schema_is_refused_on_publish() -> None:
    with pytest.raises(InvalidEvent, match="child_id"):
        new_event(TYPE, source="/csa/attendance", subject="c-1", data={**PRESENCE, "child_id": ""})


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(InvalidEvent, match="no schema"):
        new_event(
            "lu.csa.attendance.nothing.happened.v1", source="/csa/attendance", subject="x", data={}
        )


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"{}", json.dumps({"specversion": "0.3"}).encode()],
)
def test_malformed_documents_are_refused_on_consume(raw: bytes) -> None:
    with pytest.raises(InvalidEvent):
        parse_event(raw)


def test_every_schema_is_named_after_its_type_and_maps_to_a_topic() -> None:
    types = known_event_types()
    assert TYPE in types
    for event_type in types:
        assert topic_of(event_type).startswith("csa.")


def test_without_tracing_an_event_carries_no_trace_attributes() -> None:
    document = json.loads(
        new_event(TYPE, source="/csa/attendance", subject="c-1", data=PRESENCE).to_json()
    )
    assert "traceparent" not in document and "tracestate" not in document


def test_an_event_made_in_a_span_carries_its_trace_context_through_publish_and_consume() -> None:
    exporter = InMemorySpanExporter()
    configure_tracing(Settings(), "csa-test", exporter=exporter)
    try:
        tracer = TracerProvider().get_tracer("test")  # any SDK span: the context is what counts
        with tracer.start_as_current_span("POST /v1/presences") as span:
            event = new_event(TYPE, source="/csa/attendance", subject="c-1", data=PRESENCE)
        context = span.get_span_context()
    finally:
        stop_tracing()
    document = json.loads(event.to_json())
    assert document["traceparent"].startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")
    assert parse_event(event.to_json()).trace == event.trace


def test_a_malformed_traceparent_is_refused() -> None:
    event = new_event(TYPE, source="/csa/attendance", subject="c-1", data=PRESENCE)
    document = {**json.loads(event.to_json()), "traceparent": "not-a-trace"}
    with pytest.raises(InvalidEvent, match="traceparent"):
        parse_event(json.dumps(document))
