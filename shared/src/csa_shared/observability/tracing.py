"""OpenTelemetry traces across HTTP, the database and the bus, off unless configured.

The trace context travels inside each event (the CloudEvents distributed-tracing extension:
``traceparent`` and ``tracestate`` attributes, set when the event is made), so a request's
trace continues through the outbox, the broker and every consumer that handles its events:
one trace shows ``POST /v1/presences`` → ``outbox publish`` → ``<topic> process`` in billing,
each with its SQL statements.

Tracing is on when ``CSA_OTLP_ENDPOINT`` names an OTLP/HTTP collector (``csa serve`` and
``csa run`` call ``configure_tracing``); tests install an in-memory exporter. When it is
off nothing is instrumented and events carry no trace attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from sqlalchemy.ext.asyncio import AsyncEngine

    from csa_shared.bus import Message
    from csa_shared.settings import Settings

TRACE_ATTRIBUTES = ("traceparent", "tracestate")
UNTRACED_ROUTES = "healthz,readyz,metrics"
_PROPAGATOR = TraceContextTextMapPropagator()
_TRACEPARENT = re.compile(rb'"traceparent":"([0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})"')
_provider: TracerProvider | None = None


def configure_tracing(
    settings: Settings, service_name: str, *, exporter: SpanExporter | None = None
) -> bool:
    """Trace this process when ``CSA_OTLP_ENDPOINT`` is set, or into ``exporter`` (tests);
    returns whether tracing is on. Call before the apps and engines are made."""
    global _provider
    if exporter is None and not settings.otlp_endpoint:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
    )
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(settings.otlp_endpoint)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    _provider = provider
    return True


def stop_tracing() -> None:
    """Flush and forget the tracer provider (apps and engines made before stay traced)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
    _provider = None


def tracing_enabled() -> bool:
    return _provider is not None


def instrument_app(app: FastAPI) -> None:
    """A server span per request (route template as name), probes and scrapes left out."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_provider,
        excluded_urls=UNTRACED_ROUTES,
        exclude_spans=["receive", "send"],
    )


def instrument_engine(engine: AsyncEngine) -> None:
    """A client span per SQL statement (the statement's text, never its parameters)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    tracer = _provider.get_tracer("csa.db")
    unused = NoOpMeterProvider().get_meter("csa.db").create_up_down_counter("unused")
    EngineTracer(tracer, engine.sync_engine, unused)  # type: ignore[no-untyped-call]


def current_trace() -> dict[str, str]:
    """The CloudEvents trace attributes of the current span; empty without tracing."""
    carrier: dict[str, str] = {}
    if _provider is not None:
        _PROPAGATOR.inject(carrier)
    return carrier


@contextmanager
def consuming(
    consumer: str, message: Message, event_id: str, trace_attributes: Mapping[str, str]
) -> Iterator[None]:
    """The consumer's span around handling one event, a child of the span that made it."""
    if _provider is None:
        yield
        return
    parent = _PROPAGATOR.extract(dict(trace_attributes))
    tracer = _provider.get_tracer("csa.bus")
    with tracer.start_as_current_span(
        f"{message.topic} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": message.topic,
            "messaging.consumer.group.name": consumer,
            "messaging.message.id": event_id,
            "messaging.destination.partition.id": str(message.partition),
            "messaging.kafka.offset": message.offset,
        },
    ):
        yield


@contextmanager
def publishing(service: str, messages: Sequence[tuple[str, str, bytes]]) -> Iterator[None]:
    """Producer spans around one publish of outbox messages: one per trace the messages
    came from (a bulk ingest's thousand events are one span), each a child of the span
    that made the events, so the request's trace shows when its events left."""
    if _provider is None:
        yield
        return
    by_trace: dict[bytes, list[str]] = {}
    for topic, _key, document in messages:
        if found := _TRACEPARENT.search(document):
            by_trace.setdefault(found.group(1), []).append(topic)
    tracer = _provider.get_tracer("csa.bus")
    with ExitStack() as spans:
        for traceparent, topics in by_trace.items():
            parent = _PROPAGATOR.extract({"traceparent": traceparent.decode()})
            attributes: dict[str, Any] = {
                "messaging.system": "kafka",
                "messaging.operation.type": "send",
                "messaging.destination.name": topics[0],
                "messaging.batch.message_count": len(topics),
                "csa.service": service,
            }
            spans.enter_context(
                tracer.start_as_current_span(
                    "outbox publish", context=parent, kind=SpanKind.PRODUCER, attributes=attributes
                )
            )
        yield


def trace_of(document: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The trace attributes a received CloudEvent document carries."""
    return tuple((name, document[name]) for name in TRACE_ATTRIBUTES if name in document)


__all__ = [
    "TRACE_ATTRIBUTES",
    "configure_tracing",
    "consuming",
    "current_trace",
    "instrument_app",
    "instrument_engine",
    "publishing",
    "stop_tracing",
    "trace_of",
    "tracing_enabled",
]
