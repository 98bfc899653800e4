"""Breaking changes between two OpenAPI documents: pure functions, no I/O.

A change is breaking when a client written against ``old`` can fail against ``new``:
a path or operation disappears or is renamed (its operation id names the function of a
generated client), a response field disappears or changes type, a request
field or parameter becomes required, a request field's type or enum narrows, a response
enum gains values a generated client does not know. Additions are not breaking. Breaking
changes are allowed only with a bump of the major of ``info.version``.
"""

from __future__ import annotations

from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Schema = dict[str, Any]


def major(document: Schema) -> int:
    version = str(document.get("info", {}).get("version", "0"))
    head = version.lstrip("vV").split(".")[0]
    return int(head) if head.isdigit() else 0


def check(old: Schema, new: Schema) -> list[str]:
    """The breaking changes from ``old`` to ``new``; none count once the major is bumped."""
    if major(new) > major(old):
        return []
    return breaking_changes(old, new)


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    problems: list[str] = []
    new_paths = new.get("paths", {})
    for path, old_item in old.get("paths", {}).items():
        if path not in new_paths:
            problems.append(f"{path}: path removed")
            continue
        for method in METHODS:
            if method not in old_item:
                continue
            where = f"{method.upper()} {path}"
            if method not in new_paths[path]:
                problems.append(f"{where}: operation removed")
                continue
            problems += _operation(where, old, old_item[method], new, new_paths[path][method])
    return problems


def _operation(where: str, old: Schema, old_op: Schema, new: Schema, new_op: Schema) -> list[str]:
    problems = _parameters(where, old_op.get("parameters", []), new_op.get("parameters", []))
    old_id, new_id = old_op.get("operationId"), new_op.get("operationId")
    if old_id and new_id != old_id:  # the function name in every generated client
        problems.append(f"{where}: operation id {old_id!r} became {new_id!r}")
    old_body, new_body = old_op.get("requestBody"), new_op.get("requestBody")
    if new_body is not None:
        if new_body.get("required") and not (old_body or {}).get("required"):
            problems.append(f"{where}: request body became required")
        for media, content in new_body.get("content", {}).items():
            before = (old_body or {}).get("content", {}).get(media)
            if old_body is not None and before is None:
                problems.append(f"{where}: request body no longer accepts {media}")
                continue
            if before is not None:
                problems += _compare(
                    f"{where} request",
                    Side(old, before.get("schema", {})),
                    Side(new, content.get("schema", {})),
                    request=True,
                )
    new_responses = new_op.get("responses", {})
    for status, old_response in old_op.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        if status not in new_responses:
            problems.append(f"{where}: response {status} removed")
            continue
        for media, content in old_response.get("content", {}).items():
            after = new_responses[status].get("content", {}).get(media)
            if after is None:
                problems.append(f"{where}: response {status} no longer returns {media}")
                continue
            problems += _compare(
                f"{where} response {status}",
                Side(old, content.get("schema", {})),
                Side(new, after.get("schema", {})),
                request=False,
            )
    return problems


def _parameters(where: str, old: list[Schema], new: list[Schema]) -> list[str]:
    before = {(p.get("in"), p.get("name")): p for p in old}
    problems = []
    for parameter in new:
        key = (parameter.get("in"), parameter.get("name"))
        if parameter.get("required") and not before.get(key, {}).get("required"):
            problems.append(f"{where}: {key[0]} parameter {key[1]!r} became required")
    for key in before:
        if key[0] == "path" and key not in {(p.get("in"), p.get("name")) for p in new}:
            problems.append(f"{where}: path parameter {key[1]!r} removed")
    return problems


class Side:
    """A schema node together with the document its ``$ref``s resolve in."""

    def __init__(self, document: Schema, schema: Schema) -> None:
        self.document = document
        self.schema = schema

    def resolved(self, seen: frozenset[str] = frozenset()) -> tuple[Schema, frozenset[str]]:
        schema = self.schema
        while isinstance(schema, dict) and "$ref" in schema and schema["$ref"] not in seen:
            seen = seen | {schema["$ref"]}
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
            schema = node
        return schema, seen

    def child(self, schema: Schema) -> Side:
        return Side(self.document, schema)


def _types(schema: Schema) -> set[str] | None:
    """The JSON types a schema admits, or None when it does not say (any)."""
    if "type" in schema:
        declared = schema["type"]
        return {declared} if isinstance(declared, str) else set(declared)
    if "const" in schema:
        return {_json_type(schema["const"])}
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        found: set[str] = set()
        for variant in variants:
            kinds = _types(variant) if "$ref" not in variant else {"object"}
            if kinds is None:
                return None
            found |= kinds
        return found
    return None


def _json_type(value: Any) -> str:
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
    return "array" if isinstance(value, list) else "object"


def _widen(kinds: set[str]) -> set[str]:
    """The types ``kinds`` admits: every integer is a number."""
    return kinds | {"integer"} if "number" in kinds else kinds


def _variant(side: Side, schema: Schema, seen: frozenset[str]) -> tuple[Schema, frozenset[str]]:
    """The object-like branch of ``X | null`` unions, so nested fields are still compared."""
    for variant in schema.get("anyOf") or schema.get("oneOf") or ():
        if "$ref" in variant or "properties" in variant:
            return side.child(variant).resolved(seen)
    return schema, seen


def _compare(
    where: str, old: Side, new: Side, *, request: bool, seen: frozenset[str] = frozenset()
) -> list[str]:
    old_schema, old_seen = old.resolved(seen)
    new_schema, new_seen = new.resolved(seen)
    problems: list[str] = []
    old_types, new_types = _types(old_schema), _types(new_schema)
    if old_types is not None and new_types is not None:
        if request and not old_types <= _widen(new_types):
            lost = ", ".join(sorted(old_types - _widen(new_types)))
            problems.append(f"{where}: no longer accepts type {lost}")
        if not request and not new_types <= _widen(old_types):
            gained = ", ".join(sorted(new_types - _widen(old_types)))
            problems.append(f"{where}: may now return type {gained}")
    old_schema, old_seen = _variant(old, old_schema, old_seen)
    new_schema, new_seen = _variant(new, new_schema, new_seen)
    old_enum, new_enum = old_schema.get("enum"), new_schema.get("enum")
    if request and new_enum is not None:
        removed = [v for v in (old_enum or []) if v not in new_enum]
        if old_enum is None or removed:
            problems.append(f"{where}: enum narrowed, no longer accepts {removed or 'any value'}")
    if not request and new_enum is not None and old_enum is not None:
        added = [v for v in new_enum if v not in old_enum]
        if added:
            problems.append(f"{where}: enum gained {added} unknown to existing clients")
    old_props, new_props = old_schema.get("properties", {}), new_schema.get("properties", {})
    old_required, new_required = (
        set(old_schema.get("required", [])),
        set(new_schema.get("required", [])),
    )
    if request:
        for name in sorted(new_required - old_required):
            problems.append(f"{where}: field {name!r} became required")
    else:
        for name in sorted(old_props):
            if name not in new_props:
                problems.append(f"{where}: field {name!r} removed")
        for name in sorted(old_required - new_required):
            if name in new_props:
                problems.append(f"{where}: field {name!r} is no longer always returned")
    depth_guard = old_seen | new_seen  # a recursive schema stops at its second visit
    for name in sorted(set(old_props) & set(new_props)):
        problems += _compare(
            f"{where}.{name}",
            old.child(old_props[name]),
            new.child(new_props[name]),
            request=request,
            seen=depth_guard,
        )
    if "items" in old_schema and "items" in new_schema:
        problems += _compare(
            f"{where}[]",
            old.child(old_schema["items"]),
            new.child(new_schema["items"]),
            request=request,
            seen=depth_guard,
        )
    return problems
