"""Shape every service's OpenAPI document so that partners' generators take it whole.

FastAPI writes what pydantic gives it; two things of that make generated clients drop
operations: a schema passed inline (``openapi_extra``) keeps its own ``$defs``, which
neither openapi-python-client nor openapi-typescript resolves, and a non-JSON media type
(a PDF, a CSV) has no schema, so a generator cannot say what it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Schema = dict[str, Any]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT_REF = "#/components/schemas/"


def operations(document: Schema) -> Iterator[tuple[str, str, Schema]]:
    """``(method, path, operation)`` for every operation of the document."""
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _media_types(operation: Schema) -> Iterator[tuple[str, Schema]]:
    yield from operation.get("requestBody", {}).get("content", {}).items()
    for response in operation.get("responses", {}).values():
        yield from response.get("content", {}).items()


def hoist_inline_definitions(document: Schema) -> None:
    """Move an inline schema's ``$defs`` to ``components/schemas`` and the schema itself too.

    The inline schema's references already point at ``#/components/schemas/<Name>`` (see
    ``BatchIn.model_json_schema(ref_template=...)``); this makes them resolve. A titled
    inline schema becomes a component of that title, so generators name its model once.
    """
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for _, _, operation in operations(document):
        for _, media in _media_types(operation):
            schema = media.get("schema")
            if not isinstance(schema, dict) or "$defs" not in schema:
                continue
            for name, definition in schema.pop("$defs").items():
                _register(components, name, definition)
            title = schema.get("title")
            if isinstance(title, str) and title.isidentifier():
                _register(components, title, schema)
                media["schema"] = {"$ref": COMPONENT_REF + title}


def _register(components: Schema, name: str, definition: Schema) -> None:
    known = components.setdefault(name, definition)
    if known != definition:
        raise ValueError(f"two different schemas are named {name!r} in the OpenAPI document")


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def describe_raw_content(document: Schema) -> None:
    """Say what a non-JSON body is: text for ``text/*``, bytes for the rest (PDF, XML)."""
    for _, _, operation in operations(document):
        for media_type, media in _media_types(operation):
            if _is_json(media_type) or media.get("schema"):
                continue
            raw: Schema = {"type": "string"}
            if not media_type.startswith("text/"):
                raw["format"] = "binary"
            media["schema"] = raw
