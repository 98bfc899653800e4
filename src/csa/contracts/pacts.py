"""Consumer-driven message contracts: what each consumer relies on in a producer's events.

One file per pair, ``tests/contract/pacts/<consumer>-<producer>.json``::

    {"consumer": "billing", "provider": "attendance",
     "messages": [{"event_type": "lu.csa.attendance.presence.recorded.v1",
                   "description": "why the consumer reads it",
                   "fields": {"presence_id": "string", "version": "integer",
                              "billing_address.postcode": "string",
                              "valid_until": ["string", "null"]}}]}

A field is a dotted path into the CloudEvent's ``data``; its value names the JSON type(s)
the consumer accepts. A contract holds when (1) the producer's JSON Schema makes every
field required with a type the consumer accepts, and (2) real events the producer's code
builds carry every field with such a type. Pure functions; no I/O beyond reading files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csa_shared.settings import SERVICES

JSON_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")


@dataclass(frozen=True)
class Expectation:
    event_type: str
    description: str
    fields: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class MessageContract:
    consumer: str
    provider: str
    messages: tuple[Expectation, ...]
    path: Path

    @property
    def pair(self) -> str:
        return f"{self.provider} → {self.consumer}"


class ContractFileError(ValueError):
    """A contract file that does not follow the format above."""


def load(path: Path) -> MessageContract:
    raw = json.loads(path.read_text(encoding="utf-8"))
    consumer, provider = raw.get("consumer"), raw.get("provider")
    if consumer not in SERVICES or provider not in SERVICES:
        raise ContractFileError(f"{path.name}: consumer and provider must be service names")
    if path.stem != f"{consumer}-{provider}":
        raise ContractFileError(f"{path.name}: name it {consumer}-{provider}.json")
    messages = []
    for entry in raw.get("messages") or ():
        event_type = entry.get("event_type", "")
        if not event_type.startswith(f"lu.csa.{provider}."):
            raise ContractFileError(f"{path.name}: {event_type!r} is not an event of {provider}")
        fields = {}
        for name, kinds in (entry.get("fields") or {}).items():
            kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
            if not kinds or any(k not in JSON_TYPES for k in kinds):
                raise ContractFileError(f"{path.name}: {event_type} {name}: types {kinds}")
            fields[name] = kinds
        if not fields:
            raise ContractFileError(f"{path.name}: {event_type} names no field")
        messages.append(Expectation(event_type, entry.get("description", ""), fields))
    if not messages:
        raise ContractFileError(f"{path.name}: no messages")
    return MessageContract(consumer, provider, tuple(messages), path)


def load_all(directory: Path) -> list[MessageContract]:
    return [load(path) for path in sorted(directory.glob("*.json"))]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _accepts(accepted: tuple[str, ...], kind: str) -> bool:
    return kind in accepted or (kind == "integer" and "number" in accepted)


def check_event(expectation: Expectation, data: dict[str, Any]) -> list[str]:
    """What a real event's ``data`` lacks of what the consumer relies on."""
    problems = []
    for name, accepted in expectation.fields.items():
        node: Any = data
        for part in name.split("."):
            if not isinstance(node, dict) or part not in node:
                problems.append(f"{expectation.event_type}: field {name!r} missing")
                break
            node = node[part]
        else:
            if not _accepts(accepted, json_type(node)):
                problems.append(
                    f"{expectation.event_type}: field {name!r} is {json_type(node)} "
                    f"({node!r}), the consumer accepts {'/'.join(accepted)}"
                )
    return problems


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = set()
    while "$ref" in node and node["$ref"] not in seen:
        seen.add(node["$ref"])
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        node = target
    merged = dict(node)
    for part in node.get("allOf", ()):
        sub = _resolve(root, part)
        merged["required"] = [*merged.get("required", []), *sub.get("required", [])]
        merged["properties"] = {**sub.get("properties", {}), **merged.get("properties", {})}
    return merged


def _schema_types(root: dict[str, Any], node: dict[str, Any]) -> set[str] | None:
    node = _resolve(root, node)
    if "type" in node:
        return {node["type"]} if isinstance(node["type"], str) else set(node["type"])
    if "const" in node:
        return {json_type(node["const"])}
    if "enum" in node:
        return {json_type(v) for v in node["enum"]}
    variants = node.get("anyOf") or node.get("oneOf")
    if variants:
        found: set[str] = set()
        for variant in variants:
            kinds = _schema_types(root, variant)
            if kinds is None:
                return None
            found |= kinds
        return found
    return None


def check_schema(expectation: Expectation, schema: dict[str, Any]) -> list[str]:
    """Fields the consumer needs that the producer's schema does not guarantee."""
    problems = []
    for name, accepted in expectation.fields.items():
        node = schema
        for part in name.split("."):
            node = _resolve(schema, node)
            if part not in node.get("properties", {}):
                problems.append(f"{expectation.event_type}: schema has no field {name!r}")
                break
            if part not in node.get("required", []):
                problems.append(
                    f"{expectation.event_type}: schema does not require {name!r} ({part})"
                )
                break
            node = node["properties"][part]
        else:
            kinds = _schema_types(schema, node)
            if kinds is None:
                problems.append(f"{expectation.event_type}: schema leaves {name!r} untyped")
            elif not all(_accepts(accepted, kind) for kind in kinds):
                problems.append(
                    f"{expectation.event_type}: schema allows {name!r} as "
                    f"{'/'.join(sorted(kinds))}, the consumer accepts {'/'.join(accepted)}"
                )
    return problems
