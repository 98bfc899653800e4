"""The breaking-change detector on small synthetic OpenAPI documents."""

from __future__ import annotations

import copy
from typing import Any

from csa.contracts.breaking import breaking_changes, check, major


def _doc(version: str = "1.0.0") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": version},
        "paths": {
            "/v1/things": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/In"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "created",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Out"}}
                            },
                        }
                    },
                },
                "get": {
                    "parameters": [{"name": "page", "in": "query", "required": False}],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "components": {
            "schemas": {
                "In": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "count": {"type": "number"},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    },
                },
                "Out": {
                    "type": "object",
                    "required": ["id", "state", "child"],
                    "properties": {
                        "id": {"type": "string"},
                        "state": {"type": "string", "enum": ["open", "closed"]},
                        "total": {"type": "string"},
                        "child": {"$ref": "#/components/schemas/Child"},
                    },
                },
                "Child": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "parent": {"$ref": "#/components/schemas/Child"},
                    },
                },
            }
        },
    }


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def test_identical_documents_have_no_breaking_change() -> None:
    assert breaking_changes(_doc(), _doc()) == []


def test_removed_path_and_removed_operation_are_breaking() -> None:
    without_path = _doc()
    without_path["paths"] = {}
    assert breaking_changes(_doc(), without_path) == ["/v1/things: path removed"]
    without_get = _doc()
    del without_get["paths"]["/v1/things"]["get"]
    assert breaking_changes(_doc(), without_get) == ["GET /v1/things: operation removed"]


def test_a_renamed_operation_id_is_breaking_a_new_one_is_not() -> None:
    old, new = _doc(), _doc()
    old["paths"]["/v1/things"]["post"]["operationId"] = "things_create"
    new["paths"]["/v1/things"]["post"]["operationId"] = "create_thing"
    assert breaking_changes(old, new) == [
        "POST /v1/things: operation id 'things_create' became 'create_thing'"
    ]
    assert breaking_changes(_doc(), new) == []


def test_a_removed_response_field_is_breaking_also_in_a_nested_recursive_schema() -> None:
    new = _doc()
    del _schemas(new)["Out"]["properties"]["total"]
    del _schemas(new)["Child"]["properties"]["name"]
    assert breaking_changes(_doc(), new) == [
        "POST /v1/things response 201: field 'total' removed",
        "POST /v1/things response 201.child: field 'name' removed",
    ]


def test_a_request_field_that_becomes_required_is_breaking() -> None:
    new = _doc()
    _schemas(new)["In"]["required"] = ["name", "kind"]
    assert breaking_changes(_doc(), new) == [
        "POST /v1/things request: field 'kind' became required"
    ]


def test_a_query_parameter_that_becomes_required_is_breaking() -> None:
    new = _doc()
    new["paths"]["/v1/things"]["get"]["parameters"][0]["required"] = True
    assert breaking_changes(_doc(), new) == [
        "GET /v1/things: query parameter 'page' became required"
    ]


def test_narrowed_request_types_and_enums_are_breaking() -> None:
    new = _doc()
    properties = _schemas(new)["In"]["properties"]
    properties["kind"]["enum"] = ["a"]
    properties["count"]["type"] = "integer"
    properties["note"] = {"type": "string"}
    assert breaking_changes(_doc(), new) == [
        "POST /v1/things request.count: no longer accepts type number",
        "POST /v1/things request.kind: enum narrowed, no longer accepts ['b']",
        "POST /v1/things request.note: no longer accepts type null",
    ]


def test_a_changed_response_type_and_a_new_response_enum_value_are_breaking() -> None:
    new = _doc()
    properties = _schemas(new)["Out"]["properties"]
    properties["id"]["type"] = "integer"
    properties["state"]["enum"] = ["open", "closed", "archived"]
    assert breaking_changes(_doc(), new) == [
        "POST /v1/things response 201.id: may now return type integer",
        "POST /v1/things response 201.state: enum gained ['archived'] unknown to existing clients",
    ]


def test_additions_are_not_breaking() -> None:
    new = _doc()
    new["paths"]["/v1/others"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    new["paths"]["/v1/things"]["delete"] = {"responses": {"204": {"description": "gone"}}}
    _schemas(new)["Out"]["properties"]["extra"] = {"type": "string"}
    _schemas(new)["In"]["properties"]["optional"] = {"type": "string"}
    _schemas(new)["In"]["properties"]["kind"]["enum"] = ["a", "b", "c"]
    _schemas(new)["In"]["properties"]["count"] = {"type": ["number", "null"]}
    new["paths"]["/v1/things"]["get"]["parameters"].append({"name": "q", "in": "query"})
    assert breaking_changes(_doc(), new) == []


def test_a_breaking_change_passes_only_with_a_major_version_bump() -> None:
    new = copy.deepcopy(_doc())
    new["paths"] = {}
    assert check(_doc("1.4.0"), new) == ["/v1/things: path removed"]
    new["info"]["version"] = "1.5.0"
    assert check(_doc("1.4.0"), new) == ["/v1/things: path removed"]
    new["info"]["version"] = "2.0.0"
    assert check(_doc("1.4.0"), new) == []
    assert major({"info": {"version": "v3.1"}}) == 3
