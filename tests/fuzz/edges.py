"""Boundary values a generated request is varied with (issue 19 §4).

Schemathesis draws values the documented schemas allow; the inputs that gave 500s were at
or past the edges of what a schema says nothing about: a date in year 1 or 9999, 1e400 as
an amount, 10^31 as an income, a NUL in a text, a list of 1001 items, a 100 000-deep JSON
body. ``variants`` takes one generated request and yields copies with one value at a time
replaced by such an edge (chosen by what the value looks like, or by the parameter's
documented format), for the same checks as the generated requests: no 5xx, problem details.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

DEEP_JSON = "[" * 100_000 + "]" * 100_000
MANY = 1001

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")

DAYS = ("9999-12-31", "0001-01-01")
INSTANTS = ("9999-12-31T23:59:00", "0001-01-01T00:00:00")
MONTHS = ("0001-01", "9999-12")
AMOUNTS = ("1e400", "1" + "0" * 31, "100000000000000000000000000.00")
NUMBERS = (1e308, 10**31)
TEXTS = ("a\x00b",)
#: path parameters go into the URL as they are: the NUL percent-encoded
PATH_EDGES = (*MONTHS, *DAYS, "a%00b")


def edges_of(value: Any) -> tuple[Any, ...]:
    """The edge values to try in place of ``value``, by what it looks like."""
    if isinstance(value, bool) or value is None:
        return ()
    if isinstance(value, int | float):
        return NUMBERS
    if not isinstance(value, str):
        return ()
    for pattern, edges in ((_DAY, DAYS), (_INSTANT, INSTANTS), (_MONTH, MONTHS)):
        if pattern.match(value):
            return edges + TEXTS
    if _AMOUNT.match(value):
        return AMOUNTS + NUMBERS + TEXTS
    return TEXTS


def edges_of_schema(schema: dict[str, Any]) -> tuple[Any, ...]:
    """The edge values of a parameter absent from a generated request, by its schema."""
    variants = [schema, *schema.get("anyOf", ())]
    formats = {v.get("format") for v in variants}
    kinds = {v.get("type") for v in variants}
    if "date" in formats:
        return DAYS
    if "date-time" in formats:
        return INSTANTS
    if "integer" in kinds or "number" in kinds:
        return NUMBERS
    if "string" in kinds:
        return TEXTS
    return ()


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) in a JSON document, lists and objects included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


def body_variants(body: Any) -> Iterator[tuple[str, Any]]:
    """(label, body) with one value of ``body`` at an edge, a list of ``MANY`` items."""
    for path, value in _leaves(body):
        where = "".join(f"[{p!r}]" for p in path) or "body"
        if isinstance(value, list) and value:
            yield f"{where} x{MANY}", _replaced(body, path, [value[0]] * MANY)
        for edge in edges_of(value):
            yield f"{where}={edge!r:.40}", _replaced(body, path, edge)


def variants(
    kwargs: dict[str, Any], query_schemas: dict[str, dict[str, Any]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Copies of one request's transport kwargs, each with one value at an edge."""
    if "json" in kwargs:
        for label, body in body_variants(kwargs["json"]):
            yield label, {**kwargs, "json": body}
        deep = {k: v for k, v in kwargs.items() if k != "json"}
        headers = {**(kwargs.get("headers") or {}), "content-type": "application/json"}
        yield "100 000-deep body", {**deep, "data": DEEP_JSON, "headers": headers}
    query = dict(kwargs.get("params") or {})
    for name, schema in query_schemas.items():
        current = query.get(name)
        edges = edges_of(current) if current is not None else edges_of_schema(schema)
        for edge in edges:
            yield f"?{name}={edge!r:.40}", {**kwargs, "params": {**query, name: edge}}
