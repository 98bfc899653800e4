"""Luxembourg's business date and wall time (csa_shared.clock), and no service taking
another date: a scan of the service code for UTC or machine-local "today"."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine

from csa_shared.clock import as_luxembourg, luxembourg_now, luxembourg_today
from csa_shared.testing.source_scan import ROOT, code_files, planted_hits

CLOCK = ROOT / "shared/src/csa_shared/clock.py"


def test_at_23_30_utc_in_winter_luxembourg_is_already_on_the_next_day() -> None:
    with time_machine.travel(datetime(2025, 1, 31, 23, 30, tzinfo=UTC), tick=False):
        assert luxembourg_today() == date(2025, 2, 1)
        assert luxembourg_now() == datetime(2025, 2, 1, 0, 30)


def test_summer_time_is_two_hours_ahead_and_naive_utc_reads_as_utc() -> None:
    with time_machine.travel(datetime(2025, 7, 1, 22, 15, tzinfo=UTC), tick=False):
        assert luxembourg_today() == date(2025, 7, 2)
    assert as_luxembourg(datetime(2025, 7, 1, 22, 15)) == datetime(2025, 7, 2, 0, 15)
    assert as_luxembourg(datetime(2025, 1, 1, 8, 0, tzinfo=UTC)) == datetime(2025, 1, 1, 9, 0)


def _other_dates(path: Path) -> list[str]:
    """Calls taking a date or local time other than through csa_shared.clock: date.today(),
    datetime.today(), datetime.utcnow(), datetime.now() (machine-local), datetime.now(tz)
    .date(), and ZoneInfo(...) (a zone of its own)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ZoneInfo":
                found.append(f"{path}:{node.lineno} ZoneInfo()")
            continue
        name, owner = node.func.attr, node.func.value
        owner_name = getattr(owner, "id", getattr(owner, "attr", None))
        if (owner_name, name) in {("date", "today"), ("datetime", "today"),
                                  ("datetime", "utcnow")}:  # fmt: skip
            found.append(f"{path}:{node.lineno} {owner_name}.{name}()")
        elif owner_name == "datetime" and name == "now" and not node.args and not node.keywords:
            found.append(f"{path}:{node.lineno} datetime.now()")
        elif (
            name == "date"
            and isinstance(owner, ast.Call)
            and getattr(owner.func, "attr", "") == "now"
        ):
            found.append(f"{path}:{node.lineno} now(...).date()")
    return found


def test_no_service_takes_a_date_or_local_time_other_than_luxembourgs() -> None:
    files = code_files()
    assert len(files) > 100 and CLOCK in files
    assert [hit for f in files if f != CLOCK for hit in _other_dates(f)] == []


def test_the_date_scan_finds_planted_utc_and_local_dates(tmp_path: Path) -> None:
    source = (
        "from datetime import UTC, date, datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "a = date.today()\n"
        "b = datetime.now(UTC).date()\n"
        "c = datetime.utcnow()\n"
        "d = datetime.now()\n"
        "e = ZoneInfo('Europe/Luxembourg')\n"
        "f = datetime.now(UTC)\n"
    )
    assert planted_hits(tmp_path, source, _other_dates) == [
        "3 date.today()",
        "4 now(...).date()",
        "5 datetime.utcnow()",
        "6 datetime.now()",
        "7 ZoneInfo()",
    ]
