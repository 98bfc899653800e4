"""`csa simulate`, `csa period` and `csa category` (interfaces.md §2, §2b).

JSON on stdout; invalid input exits with status 2 and a message naming the field on stderr.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from csa_billing.simulation.schemas import SimulationRequest
from csa_billing.simulation.service import describe_validation_error, run_simulation
from csa_shared.rules.categories import Category, income_category
from csa_shared.rules.errors import RuleInputError
from csa_shared.rules.money import format_money, parse_money
from csa_shared.rules.parameters import parameters_in_force
from csa_shared.rules.periods import billing_period, parse_month

INVALID_INPUT = 2


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(INVALID_INPUT)


def _emit(document: object) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def simulate() -> None:
    """Compute one week of care for one child: JSON request on stdin, JSON result on stdout."""
    text = sys.stdin.read()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail([f"body: malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"])
    try:
        request = SimulationRequest.model_validate(raw)
        response = run_simulation(request)
    except ValidationError as exc:
        _fail([f"{field}: {message}" for field, message in describe_validation_error(exc)])
    except RuleInputError as exc:
        _fail([f"{exc.field}: {exc.detail}"])
    _emit(response.model_dump(mode="json"))


def period(
    month: Annotated[str, typer.Argument(help="the month, YYYY-MM")],
) -> None:
    """The billing period of a month: first Monday to the Sunday before the next one (§7)."""
    try:
        found = billing_period(*parse_month(month))
    except RuleInputError as exc:
        _fail([f"{exc.field}: {exc.detail}"])
    _emit(
        {
            "month": found.month,
            "start": found.start.isoformat(),
            "end": found.end.isoformat(),
            "weeks": found.weeks,
        }
    )


def category(
    income: Annotated[
        str | None, typer.Option(help="household monthly taxable income, e.g. 5200.00")
    ] = None,
    on: Annotated[str | None, typer.Option("--date", help="day whose SSM applies")] = None,
    rmg: Annotated[bool, typer.Option("--rmg", help="REVIS/RMG beneficiary")] = False,
    undisclosed: Annotated[bool, typer.Option("--undisclosed", help="income not declared")] = False,
) -> None:
    """The income category of a household and the SSM in force on a day (§2)."""
    try:
        if on is None:
            raise RuleInputError("--date", "required, as YYYY-MM-DD")
        try:
            day = date.fromisoformat(on)
        except ValueError:
            raise RuleInputError("--date", f"not a date YYYY-MM-DD: {on!r}") from None
        ssm = parameters_in_force(day, field="--date").ssm
        if rmg and undisclosed:
            raise RuleInputError("--rmg", "--rmg and --undisclosed exclude each other")
        if rmg or undisclosed:
            if income is not None:
                raise RuleInputError("--income", "give either an income or --rmg/--undisclosed")
            found = Category.RMG if rmg else Category.UNDISCLOSED
        elif income is None:
            raise RuleInputError("--income", "required unless --rmg or --undisclosed is given")
        else:
            found = income_category(parse_money(income, field="--income"), ssm)
    except RuleInputError as exc:
        _fail([f"{exc.field}: {exc.detail}"])
    _emit({"category": found.value, "ssm": format_money(ssm)})


def register(app: typer.Typer) -> None:
    """Add the top-level `simulate`, `period` and `category` commands to the `csa` app."""
    app.command("simulate")(simulate)
    app.command("period")(period)
    app.command("category")(category)
