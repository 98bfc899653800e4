"""The OpenAPI shape the shared app factory gives every service: ids, security, servers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI

from csa_shared.auth import Principal
from csa_shared.http.auth import authenticated
from csa_shared.http.openapi import (
    AUTHENTICATED,
    document_security,
    hoist_inline_definitions,
    operation_id,
    operations,
    token_url,
)


def _app(*routers: APIRouter) -> FastAPI:
    app = FastAPI(generate_unique_id_function=operation_id)
    for router in routers:
        app.include_router(router, prefix="/v1")
    return app


def _ids(app: FastAPI) -> dict[tuple[str, str], str]:
    return {(m, p): o["operationId"] for m, p, o in operations(app.openapi())}


periods = APIRouter()


@periods.post("/periods/{month}/close")
async def close(month: str) -> None: ...


@periods.get("/periods/{month}")
async def get_period(month: str) -> None: ...


meals = APIRouter()


@meals.post("/meals/{meal_id}/amend")
async def amend(meal_id: str, principal: Principal = Depends(authenticated)) -> None: ...


presences = APIRouter()


@presences.post("/presences/{presence_id}/amend", name="amend")
async def amend_presence(presence_id: str) -> None: ...


def test_an_operation_is_named_by_its_endpoint_led_by_its_resource_unless_it_names_it() -> None:
    assert _ids(_app(periods)) == {
        ("post", "/v1/periods/{month}/close"): "periods_close",
        ("get", "/v1/periods/{month}"): "get_period",
    }


def test_ids_are_unique_and_do_not_change_when_other_endpoints_come() -> None:
    alone = _ids(_app(meals))
    together = _ids(_app(periods, meals, presences))
    assert (
        together[("post", "/v1/meals/{meal_id}/amend")]
        == alone[("post", "/v1/meals/{meal_id}/amend")]
        == "meals_amend"
    )
    assert together[("post", "/v1/presences/{presence_id}/amend")] == "presences_amend"
    assert len(set(together.values())) == len(together)


def test_operations_taking_a_token_accept_both_schemes_the_others_are_public() -> None:
    document = _app(periods, meals).openapi()
    document_security(document, token_url())
    security = {p: o["security"] for _, p, o in operations(document)}
    assert security["/v1/meals/{meal_id}/amend"] == AUTHENTICATED
    assert security["/v1/periods/{month}/close"] == []
    flows = document["components"]["securitySchemes"]["providerClient"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"].endswith("/v1/oauth/token")


def test_inline_definitions_become_components_and_a_conflicting_name_is_refused() -> None:
    def document(known: dict[str, Any]) -> dict[str, Any]:
        inline: dict[str, Any] = {
            "title": "BatchIn",
            "type": "object",
            "properties": {"items": {"items": {"$ref": "#/components/schemas/MealIn"}}},
            "$defs": {"MealIn": {"type": "object"}},
        }
        body = {"content": {"application/json": {"schema": inline}}}
        return {"paths": {"/b": {"post": {"requestBody": body}}}, "components": {"schemas": known}}

    hoisted = document({})
    hoist_inline_definitions(hoisted)
    media = hoisted["paths"]["/b"]["post"]["requestBody"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/BatchIn"}
    assert set(hoisted["components"]["schemas"]) == {"BatchIn", "MealIn"}
    assert "$defs" not in hoisted["components"]["schemas"]["BatchIn"]
    with pytest.raises(ValueError, match="MealIn"):
        hoist_inline_definitions(document({"MealIn": {"type": "string"}}))
