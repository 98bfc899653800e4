"""One trace from a partner's POST to billing's projection: HTTP, SQL, outbox publish and
the consumer, the trace context carried inside the CloudEvent (PostgreSQL, real broker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from csa_billing.consumers import ATTENDANCE_GROUP
from csa_shared.observability.tracing import configure_tracing, stop_tracing
from csa_shared.settings import Settings
from tests.e2e.conftest import eventually
from tests.e2e.test_event_path import presence, projected

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing into memory; first in a test's arguments, so the apps and engines the other
    fixtures make are instrumented."""
    exporter = InMemorySpanExporter()
    assert configure_tracing(Settings(), "csa-test", exporter=exporter)
    yield exporter
    stop_tracing()


def _consumer_span(finished: tuple[ReadableSpan, ...], trace_id: int) -> ReadableSpan | None:
    return next(
        (
            span
            for span in finished
            if span.kind == SpanKind.CONSUMER
            and span.context.trace_id == trace_id
            and span.attributes.get("messaging.consumer.group.name") == ATTENDANCE_GROUP
        ),
        None,
    )


async def test_one_trace_spans_the_post_the_outbox_publish_and_billings_projection(
    spans, attendance_api, billing
) -> None:
    response = await attendance_api.post("/v1/presences", json=presence("child-3", "r-trace"))
    assert response.status_code == 201, response.text
    await eventually(lambda: projected(billing, response.json()["id"]))

    (server,) = (
        s
        for s in spans.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.name == "POST /v1/presences"
    )
    trace_id = server.context.trace_id

    async def consumed() -> ReadableSpan | None:
        return _consumer_span(spans.get_finished_spans(), trace_id)

    consumer = await eventually(consumed)
    in_trace = [s for s in spans.get_finished_spans() if s.context.trace_id == trace_id]
    published = [s for s in in_trace if s.kind == SpanKind.PRODUCER]
    assert [s.name for s in published] == ["outbox publish"]
    assert published[0].parent.span_id == server.context.span_id  # the event's maker
    assert consumer.parent.span_id == server.context.span_id
    assert consumer.attributes["messaging.destination.name"] == "csa.attendance.events"
    assert "INSERT INTO outbox" in _statements_under(in_trace, server)
    assert "presence_projection" in _statements_under(in_trace, consumer)


def _statements_under(spans: list[ReadableSpan], parent: ReadableSpan) -> str:
    """The SQL of the database spans whose parent is ``parent``, one per line."""
    return "\n".join(
        str(span.attributes.get("db.statement", span.name))
        for span in spans
        if span.kind == SpanKind.CLIENT
        and span.parent is not None
        and span.parent.span_id == parent.context.span_id
    )


async def test_the_one_statement_write_of_a_presence_is_spanned_too(
    spans, attendance_api, billing
) -> None:
    # the first presence of the child reads the registry and caches it: the second is
    # written in one statement (attendance's presences/one_statement.py)
    first = await attendance_api.post("/v1/presences", json=presence("child-4", "r-t1"))
    assert first.status_code == 201, first.text
    day = "2025-03-04"
    second = await attendance_api.post("/v1/presences", json=presence("child-4", "r-t2", day))
    assert second.status_code == 201, second.text

    posts = [
        s
        for s in spans.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.name == "POST /v1/presences"
    ]
    server = max(posts, key=lambda s: s.start_time or 0)  # the second
    trace_id = server.context.trace_id
    in_trace = [s for s in spans.get_finished_spans() if s.context.trace_id == trace_id]
    statements = _statements_under(in_trace, server)
    assert "attendance_presence_clear" in statements, statements
