"""Unknown query parameters are refused (422 problem details), on every ``/v1`` route.

A partner who misspells a filter (``?monht=2025-03``) would otherwise get the unfiltered
list and believe it filtered. The parameters a route declares are read from its own
dependencies, so a new filter needs nothing here.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

_DECLARED: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters of an endpoint and its dependencies (a model's fields too)."""
    names: set[str] = set()
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names |= {info.alias or name for name, info in model.model_fields.items()}
        else:
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared(route: APIRoute) -> frozenset[str]:
    known = _DECLARED.get(id(route))
    if known is None:
        known = _DECLARED[id(route)] = frozenset(_query_names(route.dependant))
    return known


async def refuse_unknown_query(request: Request) -> None:
    """FastAPI dependency of every ``/v1`` router (``create_service_app``); a request
    without a query string (every POST) is let through without parsing anything."""
    route = request.scope.get("route")
    if not request.scope.get("query_string") or not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared(route))
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "unknown query parameter",
                    "input": request.query_params[name],
                }
                for name in unknown
            ]
        )
