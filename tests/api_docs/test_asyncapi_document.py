"""The committed AsyncAPI 3 document: current, structurally valid, complete, resolvable."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from csa.contracts.asyncapi import CONSUMERS, producer_of
from csa.contracts.documents import ASYNCAPI_FILE, REGENERATE
from csa.contracts.openapi import DOCS_DIR
from csa.services import definition
from csa_shared.events import TOPICS, new_event
from csa_shared.events.schemas import known_event_types
from csa_shared.settings import SERVICES, Settings

ROOT = "urn:csa:asyncapi"
# The official AsyncAPI 3.0.0 JSON Schema (npm @asyncapi/specs 6.11.1, see README.md).
SPEC_SCHEMA = Path(__file__).parent / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    path = DOCS_DIR / ASYNCAPI_FILE
    assert path.exists(), f"{path} is missing: {REGENERATE}"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def test_committed_asyncapi_document_is_the_one_generated_from_the_schemas(
    generated_files: dict[str, str],
) -> None:
    path = DOCS_DIR / ASYNCAPI_FILE
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    assert committed == generated_files[ASYNCAPI_FILE], (
        f"docs/api/{ASYNCAPI_FILE} differs from the event schemas: {REGENERATE}"
    )


def test_the_document_validates_against_the_official_asyncapi_3_json_schema(
    document: dict[str, Any],
) -> None:
    validator = Draft7Validator(json.loads(SPEC_SCHEMA.read_text(encoding="utf-8")))
    problems = [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)
    ]
    assert not problems, "\n".join(problems)
    broken = {**document, "operations": {"x": {"action": "publish", "channel": {}}}}
    assert list(validator.iter_errors(broken)), "the specification schema must reject it"


def test_the_document_has_the_required_asyncapi_3_fields(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]
    for name, channel in document["channels"].items():
        assert channel["address"] == name
        assert isinstance(channel.get("messages", {}), dict)
    for name, operation in document["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        assert set(operation["channel"]) == {"$ref"}, name
        channel_ref = operation["channel"]["$ref"]
        for message in operation.get("messages", []):
            # AsyncAPI 3: an operation's messages are a subset of its channel's messages
            assert message["$ref"].startswith(channel_ref + "/messages/"), (name, message)
    for name, message in document["components"]["messages"].items():
        assert "payload" in message, name
    for server in document.get("servers", {}).values():
        assert server["host"] and server["protocol"]


def test_every_topic_is_a_channel_and_every_event_type_a_message_on_its_topic(
    document: dict[str, Any],
) -> None:
    assert set(document["channels"]) == set(TOPICS.values())
    for event_type in known_event_types():
        assert event_type in document["components"]["messages"], event_type
        channel = document["channels"][TOPICS[producer_of(event_type)]]
        assert event_type in channel["messages"], event_type


def test_each_producer_sends_its_types_and_each_declared_consumer_receives_them(
    document: dict[str, Any],
) -> None:
    operations = document["operations"]
    for producer, topic in TOPICS.items():
        types = [t for t in known_event_types() if producer_of(t) == producer]
        if not types:
            continue
        send = operations[f"{producer}.publish"]
        assert send["action"] == "send"
        assert send["channel"]["$ref"] == f"#/channels/{topic}"
        assert {m["$ref"].rsplit("/", 1)[1] for m in send["messages"]} == set(types)
        for consumer in CONSUMERS[producer]:
            assert operations[f"{consumer}.consume.{producer}"]["action"] == "receive"


def _walk_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _walk_refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _walk_refs(item)]
    return []


def test_every_ref_resolves_inside_the_document(document: dict[str, Any]) -> None:
    refs = _walk_refs(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), f"{ref}: only local references"
        node: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
            node = node[part]


def _payload_validator(document: dict[str, Any], event_type: str) -> Draft202012Validator:
    registry: Registry = Registry().with_resource(
        ROOT, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{ROOT}#/components/messages/{event_type}/payload"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def test_every_payload_is_a_valid_json_schema(document: dict[str, Any]) -> None:
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert schema.get("type") == "object", name


def test_a_real_event_validates_against_its_message_payload_and_a_broken_one_does_not(
    document: dict[str, Any],
) -> None:
    event_type = "lu.csa.attendance.presence.recorded.v1"
    event = new_event(
        event_type,
        source="/csa/attendance",
        subject="child-42",
        data={
            "presence_id": "p-1",
            "provider_id": "sea-001",
            "provider_record_id": "r-1",
            "child_id": "child-42",
            "start": datetime(2025, 3, 3, 8).isoformat(),
            "end": datetime(2025, 3, 3, 17).isoformat(),
            "version": 1,
        },
    ).to_dict()
    validator = _payload_validator(document, event_type)
    assert list(validator.iter_errors(event)) == []
    broken = {**event, "data": {k: v for k, v in event["data"].items() if k != "child_id"}}
    assert [e.message for e in validator.iter_errors(broken)] == [
        "'child_id' is a required property"
    ]
    wrong_source = {**event, "source": "/csa/billing"}
    assert list(validator.iter_errors(wrong_source))


def test_the_consumers_map_is_the_subscriptions_of_the_code(tmp_path: Path) -> None:
    subscribed: dict[str, set[str]] = {producer: set() for producer in TOPICS}
    for name in SERVICES:
        runtime = definition(name).build_runtime(Settings(CSA_VAR_DIR=tmp_path / name))
        for consumer in runtime.consumers:
            for event_type in consumer.handled_types:
                subscribed[producer_of(event_type)].add(name)
    declared = {producer: set(CONSUMERS.get(producer, ())) for producer in TOPICS}
    assert declared == subscribed, (
        "csa.contracts.asyncapi.CONSUMERS must list who consumes each producer's topic "
        f"as the code does: {subscribed}"
    )
