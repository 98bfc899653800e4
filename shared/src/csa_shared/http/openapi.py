"""Shape every service's OpenAPI document so that partners' generators take it whole.

FastAPI writes what pydantic gives it; two things of that make generated clients drop
operations: a schema passed inline (``openapi_extra``) keeps its own ``$defs``, which
neither openapi-python-client nor openapi-typescript resolves, and a non-JSON media type
(a PDF, a CSV) has no schema, so a generator cannot say what it returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

from csa_shared.http.problems import PROBLEM_RESPONSES

Schema = dict[str, Any]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT_REF = "#/components/schemas/"
VERSION = re.compile(r"v\d+")


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


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its endpoint's name, led by its resource when the name
    does not mention it (``periods_close``, ``post_presence``, ``meals_amend``).

    It depends on the route alone, never on the other routes, so adding an endpoint renames
    no existing operation (the function names of partners' generated clients). An endpoint
    may still set ``operation_id=`` itself.
    """
    segments = [s for s in route.path_format.split("/") if s and not s.startswith("{")]
    if segments and VERSION.fullmatch(segments[0]):
        segments = segments[1:]
    resource = re.sub(r"\W+", "_", segments[0]).strip("_") if segments else ""
    words = set(route.name.split("_"))
    last = resource.rsplit("_", 1)[-1]
    if not resource or resource in words or {last, last.removesuffix("s")} & words:
        return route.name
    return f"{resource}_{route.name}"


def drop_default_json(document: Schema) -> None:
    """Remove the empty ``application/json`` FastAPI lists beside a file's real media type.

    An endpoint that answers a PDF or CSV ``Response`` has no response model, so FastAPI
    adds ``application/json: {schema: {}}``; a generator would then parse the file as JSON.
    """
    for _, _, operation in operations(document):
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            default = content.get("application/json", {}).get("schema") == {}
            if str(status).startswith("2") and len(content) > 1 and default:
                del content["application/json"]


PROVIDER_CLIENT = "providerClient"
USER_TOKEN = "userToken"
AUTHENTICATED: list[dict[str, list[str]]] = [{PROVIDER_CLIENT: []}, {USER_TOKEN: []}]


def security_schemes(token_url: str) -> Schema:
    """How callers authenticate: identity issues every token, verified by every service."""
    return {
        PROVIDER_CLIENT: {
            "type": "oauth2",
            "description": "Provider systems: OAuth2 client credentials (RFC 6749 §4.4) at "
            "identity's token endpoint; the token is scoped provider:<id>.",
            "flows": {"clientCredentials": {"tokenUrl": token_url, "scopes": {}}},
        },
        USER_TOKEN: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Parents (identity's /v1/login) and CAE agents (/v1/agents/login): "
            "the access token identity returns.",
        },
    }


def document_security(document: Schema, token_url: str) -> None:
    """Declare the schemes; an operation that takes a token (``csa_shared.http.auth.bearer``,
    named ``userToken``) accepts either kind, every other one is public (``security: []``)."""
    document.setdefault("components", {})["securitySchemes"] = security_schemes(token_url)
    for _, _, operation in operations(document):
        needs_token = any(
            USER_TOKEN in requirement for requirement in operation.get("security", [])
        )
        operation["security"] = AUTHENTICATED if needs_token else []


def describe_operations(document: Schema) -> None:
    """Every operation has a description: its summary when the endpoint has no docstring."""
    for _, _, operation in operations(document):
        if not operation.get("description"):
            operation["description"] = operation.get("summary", "")


PRODUCTION_URL = "https://{service}.csa.example.lu"  # one host per service: deploy/k8s ingress


def servers_of(service: str) -> list[Schema]:
    return [
        {"url": "/", "description": "The host that serves this document"},
        {
            "url": PRODUCTION_URL.format(service=service),
            "description": "Production (one host per service)",
        },
        {
            "url": f"http://localhost:8000/{service}",
            "description": "Embedded `csa run`: every service under one port",
        },
    ]


def token_url() -> str:
    return PRODUCTION_URL.format(service="identity") + "/v1/oauth/token"


IDEMPOTENCY_KEY_PARAMETER: Schema = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A key of your own (1 to 255 printable ASCII characters, e.g. a UUID) "
    "to send this POST again safely: the same key and body within 24 h replays the first "
    "response (`Idempotency-Replayed: true`); another body is a 422, a repeat while the "
    "first still runs a 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def document_idempotency_key(document: Schema) -> None:
    """The optional ``Idempotency-Key`` header on every ``/v1`` POST, with its 409 and 422."""
    for method, path, operation in operations(document):
        if method != "post" or not path.startswith("/v1/"):
            continue
        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
        responses = operation.setdefault("responses", {})
        responses.setdefault("409", PROBLEM_RESPONSES[409])
        responses.setdefault("422", PROBLEM_RESPONSES[422])
