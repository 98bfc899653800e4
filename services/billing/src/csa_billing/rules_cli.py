"""`csa simulate`, `csa period`, `csa category` (interfaces.md §2, §2b) and `csa calendar`.

JSON on stdout; invalid input exits with status 2 and a message naming the field on stderr.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from csa_billing.simulation.schemas import SimulationRequest
from csa_billing.simulation.service import describe_validation_error, run_simulation
from csa_shared.rules.calendars import (
    CalendarFile,
    PublicHolidays,
    SchoolYear,
    calendar_with,
    check_calendar_file,
    install_calendar_file,
)
from csa_shared.rules.categories import Category, income_category
from csa_shared.rules.errors import RuleDataError, RuleInputError
from csa_shared.rules.money import format_money, parse_money
from csa_shared.rules.parameters import parameters_in_force
from csa_shared.rules.periods import billing_period, parse_month
from csa_shared.settings import get_settings

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


calendar_app = typer.Typer(
    help="Reference calendars: public holidays and school holidays (csa-rules.md §5).",
    no_args_is_help=True,
)


def _school_year(year: SchoolYear) -> dict[str, object]:
    return {
        "kind": "school_holidays",
        "school_year": year.school_year,
        "source": year.source,
        "file": year.file,
        "covers": {"start": year.covers_start.isoformat(), "end": year.covers_end.isoformat()},
        "periods": [
            {"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in year.periods
        ],
    }


def _public_holidays(rules: PublicHolidays) -> dict[str, object]:
    return {
        "kind": "public_holidays",
        "source": rules.source,
        "file": rules.file,
        "fixed": [
            {"date": f"{f.month:02d}-{f.day:02d}", "name": f.name, "from_year": f.from_year}
            for f in rules.fixed
        ],
        "easter_offsets": [{"offset": n, "name": name} for n, name in rules.easter_offsets],
    }


def _describe(item: CalendarFile) -> dict[str, object]:
    return _school_year(item) if isinstance(item, SchoolYear) else _public_holidays(item)


def _read_file(file: Path) -> str:
    try:
        return file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail([f"{file}: cannot read: {exc}"])


@calendar_app.command("show")
def calendar_show(
    year: Annotated[
        int | None, typer.Option(help="a calendar year: its public holidays by date")
    ] = None,
) -> None:
    """The calendar billing uses: shipped files plus those loaded into CSA_CALENDAR_DIR."""
    directory = get_settings().calendar_dir
    try:
        calendar = calendar_with(directory)
    except RuleDataError as exc:
        _fail([str(exc)])
    years = list(calendar.school_years)
    document: dict[str, object] = {"calendar_dir": str(directory)}
    if year is not None:
        if not 1900 <= year <= 2999:
            _fail([f"--year: not a plausible calendar year: {year}"])
        first, last = date(year, 1, 1), date(year, 12, 31)
        years = [y for y in years if y.covers_start <= last and y.covers_end >= first]
        days = calendar.public_holidays_of(year)
        document["year"] = year
        document["public_holiday_days"] = [
            {"date": day.isoformat(), "name": days[day]} for day in sorted(days)
        ]
    document["public_holidays"] = _public_holidays(calendar.public_holidays)
    document["school_years"] = [_school_year(y) for y in years]
    _emit(document)


@calendar_app.command("validate")
def calendar_validate(
    file: Annotated[Path, typer.Argument(help="a school_holidays or public_holidays YAML file")],
) -> None:
    """Check a calendar file (and that it fits the calendar in force) without installing it."""
    directory = get_settings().calendar_dir
    try:
        item, target, replaced = check_calendar_file(_read_file(file), directory, source=str(file))
    except RuleDataError as exc:
        _fail([str(exc)])
    _emit({"valid": True, "would_install": str(target), "replaces": replaced, **_describe(item)})


@calendar_app.command("load")
def calendar_load(
    file: Annotated[Path, typer.Argument(help="a school_holidays or public_holidays YAML file")],
) -> None:
    """Validate a calendar file naming its `source` and install it into CSA_CALENDAR_DIR.

    Billing reads the installed files next to the shipped ones; a file for a school year
    that ships (or public-holiday rules) replaces the shipped file.
    """
    directory = get_settings().calendar_dir
    try:
        item, target, replaced = install_calendar_file(
            _read_file(file), directory, source=str(file)
        )
    except RuleDataError as exc:
        _fail([str(exc)])
    except OSError as exc:
        _fail([f"{directory}: cannot install: {exc}"])
    _emit({"installed": str(target), "replaces": replaced, **_describe(item)})


def register(app: typer.Typer) -> None:
    """Add the top-level `simulate`, `period`, `category` and `calendar` commands."""
    app.command("simulate")(simulate)
    app.command("period")(period)
    app.command("category")(category)
    app.add_typer(calendar_app, name="calendar")
