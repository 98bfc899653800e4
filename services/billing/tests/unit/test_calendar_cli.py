"""`csa calendar show|validate|load` and billing reading the loaded calendars (csa-rules.md §5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from csa_billing.periods.assemble import bill_period
from csa_billing.periods.inputs import (
    ChildData,
    ContractTerms,
    Interval,
    ProviderBook,
    ProviderTerms,
)
from csa_billing.rules_cli import register
from csa_shared.rules.errors import RuleInputError
from csa_shared.rules.periods import billing_period
from csa_shared.settings import get_settings

runner = CliRunner()

# A fixture school year after the shipped ones (not an official calendar): All Saints
# 31.10-08.11.2026 makes the week of Monday 2026-11-02 a holiday week.
YEAR_2026_2027 = """\
kind: school_holidays
school_year: "2026-2027"
source: test fixture (not the MENJE calendar)
covers: {start: "2026-09-15", end: "2027-09-14"}
periods:
  - {name: "All Saints", start: "2026-10-31", end: "2026-11-08"}
  - {name: "Christmas", start: "2026-12-19", end: "2027-01-03"}
"""


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    cli = typer.Typer()
    register(cli)
    return cli


@pytest.fixture
def calendar_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """CSA_CALENDAR_DIR for this test only (billing reads it through get_settings())."""
    folder = tmp_path / "calendars"
    monkeypatch.setenv("CSA_CALENDAR_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    monkeypatch.delenv("CSA_CALENDAR_DIR")
    get_settings.cache_clear()


def _file(tmp_path: Path, text: str, name: str = "calendar.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def _child_2026_11(category: str = "lt_4_5") -> ChildData:
    """A fundamental-school child, 2 h at 08:00 on Mondays 2026-11-02 and 2026-11-09."""
    contract = ContractTerms(
        contract_id="c-1", version=1, household_id="h-1", category=category, rank=1,
        schooling="fundamental", birth_date=date(2018, 1, 1), valid_from=date(2026, 1, 5),
        valid_until=date(2027, 6, 30), effective_from=date(2026, 1, 5), language="fr",
    )  # fmt: skip
    presences = [
        Interval(f"r-{day}", "sea-1", datetime(2026, 11, day, 8), datetime(2026, 11, day, 10))
        for day in (2, 9)
    ]
    return ChildData("child-1", contracts=[contract], presences=presences)


BOOK = ProviderBook(
    [ProviderTerms("sea-1", date(2025, 1, 6), "sea_conventionne", "Luxembourg",
                   Decimal("6.00"), Decimal("4.50"), False)]
)  # fmt: skip


def test_bill_november_2026_without_a_calendar_for_it_is_an_error(calendar_dir: Path) -> None:
    with pytest.raises(RuleInputError, match="no school calendar covers 2026-11-0"):
        bill_period(_child_2026_11(), billing_period(2026, 11), BOOK)


def test_loaded_2026_2027_calendar_is_used_by_billing_holiday_monday_2h_x_4_00_is_8_00(
    app, calendar_dir: Path, tmp_path: Path
) -> None:
    """lt_4_5 rank 1, fundamental: 02.11 in the loaded All Saints holidays, 2 h tranche 1 at
    4.00 = 8.00 (state 2 x 2.00 = 4.00); 09.11 a school day, 2 h school-time free (state 12.00)."""
    result = runner.invoke(app, ["calendar", "load", _file(tmp_path, YEAR_2026_2027)])

    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["installed"] == str(calendar_dir / "school_2026_2027.yaml")
    assert (out["school_year"], out["replaces"]) == ("2026-2027", None)
    assert (calendar_dir / "school_2026_2027.yaml").read_text("utf-8") == YEAR_2026_2027
    bill = bill_period(_child_2026_11(), billing_period(2026, 11), BOOK)
    rules = [(line["week"], line["rule"], line["parent_amount"]) for line in bill.lines]
    assert [(str(w), r, str(p)) for w, r, p in rules] == [
        ("2026-11-02", "tranche_1", "8.00"),
        ("2026-11-09", "school_free", "0.00"),
    ]
    assert bill.totals() == (Decimal("8.00"), Decimal("16.00"))


def test_show_year_2026_lists_the_loaded_school_year_and_2026_public_holidays(
    app, calendar_dir: Path, tmp_path: Path
) -> None:
    runner.invoke(app, ["calendar", "load", _file(tmp_path, YEAR_2026_2027)])

    out = json.loads(runner.invoke(app, ["calendar", "show", "--year", "2026"]).stdout)

    assert out["calendar_dir"] == str(calendar_dir)
    assert [y["school_year"] for y in out["school_years"]] == ["2025-2026", "2026-2027"]
    assert out["school_years"][1]["source"] == "test fixture (not the MENJE calendar)"
    assert out["school_years"][0]["file"] == "shipped:school_2025_2026.yaml"
    # 11 legal days; Easter 2026 is 5 April: Easter Monday 6.4, Ascension 14.5, Whit Monday 25.5
    assert len(out["public_holiday_days"]) == 11
    assert {"date": "2026-05-14", "name": "Ascension Day"} in out["public_holiday_days"]


def test_show_without_loaded_files_gives_the_shipped_school_years(app, calendar_dir) -> None:
    out = json.loads(runner.invoke(app, ["calendar", "show"]).stdout)
    assert [y["school_year"] for y in out["school_years"]] == ["2024-2025", "2025-2026"]
    assert out["public_holidays"]["file"] == "shipped:public_holidays.yaml"


def test_validate_good_file_exits_0_and_installs_nothing(app, calendar_dir, tmp_path) -> None:
    result = runner.invoke(app, ["calendar", "validate", _file(tmp_path, YEAR_2026_2027)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["would_install"].endswith("school_2026_2027.yaml")
    assert not calendar_dir.exists()


def test_loaded_school_year_replaces_the_shipped_one_of_the_same_name(
    app, calendar_dir: Path, tmp_path: Path
) -> None:
    """A corrected 2025-2026 file where the week of 2026-03-09 is a holiday week."""
    corrected = (
        YEAR_2026_2027.replace("2026-2027", "2025-2026")
        .replace(
            'covers: {start: "2026-09-15", end: "2027-09-14"}',
            'covers: {start: "2025-09-15", end: "2026-09-14"}',
        )
        .replace('start: "2026-10-31", end: "2026-11-08"', 'start: "2026-03-07", end: "2026-03-15"')
    )
    corrected = corrected.replace(
        '  - {name: "Christmas", start: "2026-12-19", end: "2027-01-03"}\n', ""
    )
    result = runner.invoke(app, ["calendar", "load", _file(tmp_path, corrected)])

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["replaces"] == "shipped:school_2025_2026.yaml"
    out = json.loads(runner.invoke(app, ["calendar", "show", "--year", "2026"]).stdout)
    [year] = [y for y in out["school_years"] if y["school_year"] == "2025-2026"]
    assert year["periods"] == [{"name": "All Saints", "start": "2026-03-07", "end": "2026-03-15"}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("source: test fixture (not the MENJE calendar)", "source: ''"),
         "must name its `source`"),
        (("source: test fixture (not the MENJE calendar)\n", ""), "must name its `source`"),
        (('school_year: "2026-2027"', 'school_year: "2026/27"'),
         "school_year: must name two consecutive years"),
        (('start: "2026-12-19"', 'start: "2026-13-19"'), "periods[1]: not an ISO date"),
        (('start: "2026-12-19", end: "2027-01-03"', 'start: "2026-11-05", end: "2026-11-20"'),
         "periods All Saints and Christmas overlap"),
        (('end: "2027-01-03"', 'end: "2027-10-03"'), "Christmas lies outside the covered span"),
        (('covers: {start: "2026-09-15"', 'covers: {start: "2026-09-01"'),
         "covers days that school year 2025-2026"),
        (("kind: school_holidays", "kind: holidays"), "`kind` must be school_holidays"),
        (("periods:", "periods: ["), "not valid YAML"),
    ],
)  # fmt: skip
def test_load_bad_file_exits_2_with_the_reason_and_installs_nothing(
    app, calendar_dir: Path, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _file(tmp_path, YEAR_2026_2027.replace(*change))
    for command in ("validate", "load"):
        result = runner.invoke(app, ["calendar", command, path])
        assert result.exit_code == 2, (command, result.stdout)
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: {path}") and message in result.stderr
    assert not calendar_dir.exists()


def test_load_missing_file_exits_2_naming_it(app, calendar_dir, tmp_path) -> None:
    result = runner.invoke(app, ["calendar", "load", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "none.yaml: cannot read" in result.stderr


def test_show_year_out_of_range_exits_2(app, calendar_dir) -> None:
    result = runner.invoke(app, ["calendar", "show", "--year", "20266"])
    assert result.exit_code == 2 and "--year" in result.stderr
