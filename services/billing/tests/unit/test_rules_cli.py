"""`csa simulate`, `csa period`, `csa category` (interfaces.md §2, §2b)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from csa_billing.rules_cli import register
from csa_billing.simulation.schemas import EXAMPLE_REQUEST

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    cli = typer.Typer()
    register(cli)
    return cli


def _request(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    assert isinstance(body, dict)
    body.update(changes)
    return body


def _simulate(app: typer.Typer, body: object) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return runner.invoke(app, ["simulate"], input=text)


def test_period_2025_03_prints_the_interfaces_example(app) -> None:
    result = runner.invoke(app, ["period", "2025-03"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "month": "2025-03", "start": "2025-03-03", "end": "2025-04-06", "weeks": 5
    }  # fmt: skip


def test_period_bad_month_exits_2_naming_month(app) -> None:
    result = runner.invoke(app, ["period", "2025-13"])
    assert result.exit_code == 2 and "month" in result.stderr


def test_category_income_5200_on_2025_03_03_is_lt_2_5_ssm_2570_93(app) -> None:
    result = runner.invoke(app, ["category", "--income", "5200.00", "--date", "2025-03-03"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"category": "lt_2_5", "ssm": "2570.93"}


@pytest.mark.parametrize(("flag", "code"), [("--rmg", "rmg"), ("--undisclosed", "undisclosed")])
def test_category_flags_give_rmg_and_undisclosed(app, flag: str, code: str) -> None:
    result = runner.invoke(app, ["category", flag, "--date", "2025-03-03"])
    assert json.loads(result.stdout) == {"category": code, "ssm": "2570.93"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--income", "abc", "--date", "2025-03-03"], "--income"),
        (["--income", "5200.00", "--date", "2024-01-01"], "--date"),
        (["--income", "5200.00", "--date", "03/03/2025"], "--date"),
        (["--date", "2025-03-03"], "--income"),
    ],
)
def test_category_bad_input_exits_2_naming_the_option(app, args: list[str], field: str) -> None:
    result = runner.invoke(app, ["category", *args])
    assert result.exit_code == 2 and field in result.stderr


def test_simulate_example_care_line_9h_plurilingual_state_54_00(app) -> None:
    """The interfaces.md example: 9 plurilingual hours, care line 0.00 / 54.00."""
    result = _simulate(app, _request(meals=[]))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["parent_total"], out["state_total"]) == ("0.00", "54.00")
    assert out["hours"] == {"school_free": "0.00", "plurilingual_free": "9.00",
                            "tranche_1": "0.00", "tranche_2": "0.00", "tranche_3": "0.00",
                            "unsupported": "0.00"}  # fmt: skip
    [line] = out["lines"]
    assert {k: line[k] for k in ("provider", "kind", "quantity", "parent_amount",
                                 "state_amount")} == {
        "provider": "p1", "kind": "care", "quantity": "9.00", "parent_amount": "0.00",
        "state_amount": "54.00"}  # fmt: skip


def test_simulate_example_with_its_meal_adds_parent_1_00_state_3_50(app) -> None:
    """The example's one meal at 4.50, lt_2 young child: rate 1.00, state 3.50 (§6)."""
    out = json.loads(_simulate(app, EXAMPLE_REQUEST).stdout)
    assert (out["parent_total"], out["state_total"]) == ("1.00", "57.50")
    assert out["lines"][0]["state_amount"] == "54.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"week_start": "2025-03-04"}, "week_start"),
        ({"category": "lt_5"}, "category"),
        ({"rank": 0}, "rank"),
        ({"child": {"birth_date": "2022-05-10", "schooling": "lycee"}}, "child.schooling"),
        ({"providers": [{"id": "p1", "type": "creche", "hourly_price": "6.00"}]},
         "providers[0].type"),
        ({"providers": [{"id": "p1", "type": "sea_conventionne", "hourly_price": "-6.00"}]},
         "providers[0].hourly_price"),
        ({"presences": [{"provider": "p1", "start": "2025-03-03T17:00:00",
                         "end": "2025-03-03T08:00:00"}]}, "presences[0].end"),
        ({"presences": [{"provider": "p1", "start": "2025-03-10T08:00:00",
                         "end": "2025-03-10T09:00:00"}]}, "presences[0].start"),
        ({"presences": [{"provider": "p1", "start": "2025-03-03T08:00:00",
                         "end": "2025-03-03T10:00:00"},
                        {"provider": "p1", "start": "2025-03-03T09:00:00",
                         "end": "2025-03-03T11:00:00"}]}, "presences[1]"),
        ({"presences": [{"provider": "zz", "start": "2025-03-03T08:00:00",
                         "end": "2025-03-03T09:00:00"}]}, "presences[0].provider"),
        ({"meals": [{"provider": "p1", "date": "2025-03-03", "count": -1}]}, "meals[0].count"),
        ({"week_start": "2024-08-26", "presences": [], "meals": []}, "week_start"),
        ({"parameters_date": "2020-01-06"}, "parameters_date"),
        ({"public_holidays": ["2025-05-01"]}, "public_holidays[0]"),
    ],
)  # fmt: skip
def test_simulate_invalid_input_exits_2_naming_the_field(app, changes, field: str) -> None:
    result = _simulate(app, _request(**changes))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"error: {field}" in result.stderr


def test_simulate_malformed_json_exits_2(app) -> None:
    result = _simulate(app, '{"week_start": ')
    assert result.exit_code == 2 and "malformed JSON" in result.stderr
