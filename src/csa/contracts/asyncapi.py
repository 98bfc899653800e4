"""The AsyncAPI 3.0 document of the event bus, built from the event JSON Schemas.

Channels are the Kafka topics (``csa_shared.events.TOPICS``), messages the event types that
have a schema in ``csa_shared/events/schemas/``; each message's payload is the CloudEvents
envelope with ``data`` constrained by the event's own schema. The producer of a type is the
service named in it (``lu.csa.<service>...``); who consumes which topic is declared in
``CONSUMERS`` below, the one place to change when a service subscribes to another topic.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from csa_shared.events import TOPICS, schemas
from csa_shared.events.schemas import ENVELOPE_SCHEMA, known_event_types
from csa_shared.settings import SERVICES

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
ENVELOPE = "cloudevent"
CONTENT_TYPE = "application/cloudevents+json"
KAFKA_BINDING_VERSION = "0.5.0"

# producer service -> services that consume its topic. Kept equal to the subscriptions in
# the code by tests/api_docs/test_asyncapi_document.py; identity's events (cards, parent
# links) have no consumer yet: add membership/attendance/billing here when they subscribe.
CONSUMERS: dict[str, tuple[str, ...]] = {
    "identity": (),
    "membership": ("identity", "billing"),
    "attendance": ("billing", "identity"),
    "billing": ("attendance", "identity"),
}


def producer_of(event_type: str) -> str:
    """``lu.csa.attendance.presence.recorded.v1`` → ``attendance``."""
    return event_type.split(".")[2]


def _load_schema(name: str) -> dict[str, Any]:
    text = resources.files(schemas).joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _relocate(node: Any, base: str) -> Any:
    """Copy a schema with its local ``$ref``s re-rooted under ``base`` in the document."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("$schema", "$id"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                out[key] = base + value[1:]
            else:
                out[key] = _relocate(value, base)
        return out
    if isinstance(node, list):
        return [_relocate(item, base) for item in node]
    return node


def _component_schema(name: str, key: str) -> dict[str, Any]:
    schema = _load_schema(name)
    relocated: dict[str, Any] = _relocate(schema, f"#/components/schemas/{key}")
    if "$id" in schema:
        relocated["x-json-schema-id"] = schema["$id"]
    return relocated


def _message(event_type: str, data_schema: dict[str, Any]) -> dict[str, Any]:
    producer = producer_of(event_type)
    return {
        "name": event_type,
        "title": data_schema.get("title", event_type),
        "summary": data_schema.get("title", event_type),
        **({"description": data_schema["description"]} if "description" in data_schema else {}),
        "contentType": CONTENT_TYPE,
        "payload": {
            "allOf": [
                {"$ref": f"#/components/schemas/{ENVELOPE}"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event_type},
                        "source": {"const": f"/csa/{producer}"},
                        "data": {"$ref": f"#/components/schemas/{event_type}"},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": "the aggregate id, equal to the CloudEvents subject",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operations(types_by_producer: dict[str, list[str]]) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for producer in SERVICES:
        types = types_by_producer.get(producer, [])
        if not types:
            continue
        channel = TOPICS[producer]
        refs = [{"$ref": f"#/channels/{channel}/messages/{t}"} for t in types]
        operations[f"{producer}.publish"] = {
            "action": "send",
            "title": f"{producer} publishes its events",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": refs,
        }
        for consumer in CONSUMERS.get(producer, ()):
            operations[f"{consumer}.consume.{producer}"] = {
                "action": "receive",
                "title": f"{consumer} consumes {producer}'s events",
                "channel": {"$ref": f"#/channels/{channel}"},
                "messages": refs,
            }
    return operations


def build_asyncapi() -> dict[str, Any]:
    event_types = known_event_types()
    types_by_producer: dict[str, list[str]] = {}
    for event_type in event_types:
        types_by_producer.setdefault(producer_of(event_type), []).append(event_type)
    schemas = {ENVELOPE: _component_schema(ENVELOPE_SCHEMA, ENVELOPE)}
    messages = {}
    for event_type in event_types:
        schemas[event_type] = _component_schema(f"{event_type}.json", event_type)
        messages[event_type] = _message(event_type, schemas[event_type])
    channels = {
        topic: {
            "address": topic,
            "title": f"{producer} events",
            "description": f"Every event {producer} publishes; the message key is the "
            "aggregate id, so one aggregate's events stay in order.",
            "messages": {
                t: {"$ref": f"#/components/messages/{t}"}
                for t in types_by_producer.get(producer, [])
            },
        }
        for producer, topic in TOPICS.items()
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:lu:csa:events",
        "info": {
            "title": "CSA platform events",
            "version": DOCUMENT_VERSION,
            "description": "CloudEvents 1.0 (structured mode, JSON) exchanged by the identity, "
            "membership, attendance and billing services over Kafka. Delivery is at least "
            "once: consumers deduplicate by the CloudEvents id.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": "csa-kafka-kafka-bootstrap.csa.svc:9092",
                "protocol": "kafka",
                "description": "the Strimzi cluster of deploy/k8s (KAFKA_BOOTSTRAP_SERVERS)",
            }
        },
        "channels": channels,
        "operations": _operations(types_by_producer),
        "components": {"schemas": schemas, "messages": messages},
    }
