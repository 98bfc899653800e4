"""Every property of every schema in the committed OpenAPI documents says what it is.

A partner reading the docs page (or a generated client's docstrings) sees a description for
each field: component schemas, inline request and response schemas, nested objects and the
items of arrays alike. A new model field without ``Field(description=...)`` fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csa.contracts.openapi import openapi_path
from csa_shared.settings import SERVICES


def undescribed(node: Any, where: str = "") -> list[str]:
    """The paths of the schema properties under ``node`` that have no description."""
    found: list[str] = []
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            found += [
                f"{where}.{name}"
                for name, schema in properties.items()
                if isinstance(schema, dict) and not str(schema.get("description", "")).strip()
            ]
        for key, value in node.items():
            found += undescribed(value, where if key == "properties" else f"{where}.{key}")
    elif isinstance(node, list):
        for value in node:
            found += undescribed(value, where)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_schema_property_of_the_committed_document_has_a_description(service: str) -> None:
    document = json.loads(openapi_path(service).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    assert undescribed(document, service) == []


def test_a_property_without_description_is_found_nested_inline_and_in_items() -> None:
    document = {
        "components": {
            "schemas": {
                "Out": {
                    "properties": {
                        "id": {"type": "string", "description": "The id"},
                        "note": {"type": "string"},
                        "blank": {"type": "string", "description": " "},
                        "lines": {
                            "type": "array",
                            "description": "The lines",
                            "items": {"properties": {"amount": {"type": "string"}}},
                        },
                    }
                }
            }
        },
        "paths": {
            "/v1/x": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"properties": {"grant_type": {"type": "string"}}}
                            }
                        }
                    }
                }
            }
        },
    }
    assert undescribed(document, "svc") == [
        "svc.components.schemas.Out.note",
        "svc.components.schemas.Out.blank",
        "svc.components.schemas.Out.lines.items.amount",
        "svc.paths./v1/x.post.requestBody.content.application/x-www-form-urlencoded.schema"
        ".grant_type",
    ]
