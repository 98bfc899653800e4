"""`POST /v1/simulations` (in-process ASGI) gives what `csa simulate` gives (interfaces.md §2).

Valid input: the same JSON document. Invalid input: 422 problem details naming the same
fields with the same messages as the CLI's exit-2 lines on stderr.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from csa.services import definition
from csa_billing.rules_cli import register
from csa_billing.simulation.schemas import EXAMPLE_REQUEST
from csa_shared.settings import Settings

runner = CliRunner()

MONDAY = "2025-03-10"  # the appendix week: a school week, newest parameters


def _at(day: int, start: str, end: str, provider: str) -> dict[str, str]:
    date = f"2025-03-{10 + day:02d}"
    return {"provider": provider, "start": f"{date}T{start}:00", "end": f"{date}T{end}:00"}


def _meals(days: range, provider: str) -> list[dict[str, Any]]:
    return [{"provider": provider, "date": f"2025-03-{10 + d:02d}", "count": 1} for d in days]


APPENDIX_1 = {  # lt_3 rank 2, plurilingual crèche, Mon-Thu 08-17, 4 meals
    "week_start": MONDAY, "category": "lt_3", "rank": 2,
    "child": {"birth_date": "2023-02-01", "schooling": "none"},
    "providers": [{"id": "c", "type": "sea_conventionne", "hourly_price": "6.00",
                   "meal_price": "4.50", "plurilingual": True}],
    "presences": [_at(d, "08:00", "17:00", "c") for d in range(4)],
    "meals": _meals(range(4), "c"),
}  # fmt: skip
APPENDIX_2 = {  # lt_2 rank 1 schoolchild at a maison relais, 27.5 h school time + Sat 3 h
    "week_start": MONDAY, "category": "lt_2", "rank": 1,
    "child": {"birth_date": "2018-04-02", "schooling": "fundamental"},
    "providers": [{"id": "m", "type": "sea_conventionne", "hourly_price": "6.00",
                   "meal_price": "4.50"}],
    "presences": [_at(d, start, end, "m") for d in range(5)
                  for start, end in (("07:00", "08:00"), ("12:00", "14:00"), ("16:00", "18:30"))]
                 + [_at(5, "09:00", "12:00", "m")],
    "meals": _meals(range(5), "m"),
}  # fmt: skip
APPENDIX_3 = {  # ge_4_5 rank 2 at an AP 6.00, Tuesday 19-23
    "week_start": MONDAY, "category": "ge_4_5", "rank": 2,
    "child": {"birth_date": "2023-02-01", "schooling": "none"},
    "providers": [{"id": "a", "type": "assistant_parental", "hourly_price": "6.00"}],
    "presences": [_at(1, "19:00", "23:00", "a")],
}  # fmt: skip


def _request(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    assert isinstance(body, dict)
    body.update(changes)
    return body


def _without(field: str) -> dict[str, Any]:
    body = _request()
    del body[field]
    return body


# Every invalid input named by issue 3, with the field both front ends must name.
INVALID = [
    ("week_start_not_monday", _request(week_start="2025-03-04"), "week_start"),
    ("unknown_category", _request(category="lt_5"), "category"),
    ("unknown_schooling", _request(child={"birth_date": "2022-05-10", "schooling": "lycee"}),
     "child.schooling"),
    ("unknown_provider_type",
     _request(providers=[{"id": "p1", "type": "creche", "hourly_price": "6.00"}]),
     "providers[0].type"),
    ("rank_0", _request(rank=0), "rank"),
    ("presence_ends_before_start", _request(presences=[
        {"provider": "p1", "start": "2025-03-03T17:00:00", "end": "2025-03-03T08:00:00"}]),
     "presences[0].end"),
    ("presence_outside_week", _request(presences=[
        {"provider": "p1", "start": "2025-03-10T08:00:00", "end": "2025-03-10T09:00:00"}]),
     "presences[0].start"),
    ("presences_overlap", _request(presences=[
        {"provider": "p1", "start": "2025-03-03T08:00:00", "end": "2025-03-03T10:00:00"},
        {"provider": "p1", "start": "2025-03-03T09:00:00", "end": "2025-03-03T11:00:00"}]),
     "presences[1]"),
    ("presence_unknown_provider", _request(presences=[
        {"provider": "zz", "start": "2025-03-03T08:00:00", "end": "2025-03-03T09:00:00"}]),
     "presences[0].provider"),
    ("negative_hourly_price",
     _request(providers=[{"id": "p1", "type": "sea_conventionne", "hourly_price": "-6.00"}]),
     "providers[0].hourly_price"),
    ("negative_meal_price", _request(providers=[
        {"id": "p1", "type": "sea_conventionne", "hourly_price": "6.00", "meal_price": "-1.00"}]),
     "providers[0].meal_price"),
    ("negative_meal_count",
     _request(meals=[{"provider": "p1", "date": "2025-03-03", "count": -1}]), "meals[0].count"),
    ("no_parameters_for_week", _request(week_start="2024-08-26", presences=[], meals=[]),
     "week_start"),
    ("no_parameters_for_parameters_date", _request(parameters_date="2020-01-06"),
     "parameters_date"),
    ("public_holiday_outside_week", _request(public_holidays=["2025-05-01"]),
     "public_holidays[0]"),
    ("missing_category", _without("category"), "category"),
    ("body_not_an_object", [], "body"),
]  # fmt: skip
MALFORMED = [
    ("truncated", '{"week_start": '),
    ("second_line", '{"week_start": "2025-03-03",\n "rank": }'),
    ("not_json", "week_start=2025-03-03"),
]


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    billing = definition("billing")
    app = billing.create_app(billing.build_runtime(Settings(CSA_VAR_DIR=tmp_path)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://billing") as client:
        yield client


def _simulate(cli: typer.Typer, text: str) -> Any:
    return runner.invoke(cli, ["simulate"], input=text)


def _cli_errors(stderr: str) -> list[tuple[str, str]]:
    """`error: <field>: <message>` lines as (field, message)."""
    pairs = []
    for line in stderr.splitlines():
        assert line.startswith("error: "), line
        field, message = line.removeprefix("error: ").split(": ", 1)
        pairs.append((field, message))
    return pairs


async def _post(api: httpx.AsyncClient, text: str) -> httpx.Response:
    return await api.post(
        "/v1/simulations", content=text.encode(), headers={"content-type": "application/json"}
    )


@pytest.mark.parametrize(
    ("body", "totals"),
    [(APPENDIX_1, ("20.00", "214.00")), (APPENDIX_2, ("0.00", "205.50")),
     (APPENDIX_3, ("15.20", "10.80"))],
    ids=["appendix_1_parent_20_00_state_214_00", "appendix_2_parent_0_00_state_205_50",
         "appendix_3_parent_15_20_state_10_80"],
)  # fmt: skip
async def test_appendix_week_same_json_from_cli_and_http(cli, api, body, totals) -> None:
    text = json.dumps(body)
    result = _simulate(cli, text)
    response = await _post(api, text)

    assert result.exit_code == 0, result.stderr
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(result.stdout)
    assert (response.json()["parent_total"], response.json()["state_total"]) == totals


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
async def test_invalid_input_cli_exit_2_and_http_422_name_the_same_field(
    cli, api, body: Any, field: str
) -> None:
    text = json.dumps(body)
    result = _simulate(cli, text)
    response = await _post(api, text)

    assert result.exit_code == 2 and result.stdout == ""
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    http_errors = [(e["field"], e["message"]) for e in problem["errors"]]
    cli_errors = _cli_errors(result.stderr)
    assert [f for f, _ in http_errors] == [f for f, _ in cli_errors]
    assert field in [name for name, _ in http_errors]
    if field != "body":  # pydantic words "not an object" per front end; the field is the same
        assert http_errors == cli_errors
    assert problem["detail"] == "; ".join(f"{f}: {m}" for f, m in http_errors)


@pytest.mark.parametrize("text", [t for _, t in MALFORMED], ids=[n for n, _ in MALFORMED])
async def test_malformed_json_names_body_with_the_same_message(cli, api, text: str) -> None:
    result = _simulate(cli, text)
    response = await _post(api, text)

    assert result.exit_code == 2 and response.status_code == 422
    [(field, message)] = _cli_errors(result.stderr)
    assert field == "body" and message.startswith("malformed JSON: ")
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [(field, message)]


async def test_empty_body_names_body_on_both(cli, api) -> None:
    """Empty stdin is malformed JSON; an empty HTTP body is a missing body: both say `body`."""
    result = _simulate(cli, "")
    response = await _post(api, "")

    assert result.exit_code == 2 and response.status_code == 422
    assert [f for f, _ in _cli_errors(result.stderr)] == ["body"]
    assert [e["field"] for e in response.json()["errors"]] == ["body"]
