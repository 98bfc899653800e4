"""The README's "Try it" month, run by ``scripts/walkthrough.py`` against a real ``csa run``.

``csa run`` (the embedded platform of ``make run``: one uvicorn process, SQLite under a fresh
``CSA_VAR_DIR``, in-process bus, demo data) runs on a free loopback port; the script's own
``walkthrough()`` drives it exactly as a newcomer's terminal would (``csa identity`` commands,
then HTTP only). The invoice must equal the figures below, worked out by hand from
csa-rules.md for the demo data.

What the invoice is computed from (the demo loaders; the test checks them too):

* Mia Muller (``demo-child-001``), born 2022-05-10, schooling ``none``; household income
  5,200.00 €/month = 2.023 × SSM 2,570.93 → category ``lt_2_5`` (§2: not < 2 × SSM, < 2.5);
  one older sibling with family allowance → rank 2. Contract valid 2025-02-03 to 2026-02-01.
* §3, ``lt_2_5`` rank 2: tranches 8 / 21 / 31 h at 0.00 / 1.10 / 1.80 €/h; meal rate 1.50
  (young child).
* Crèche ``demo-sea-001``: SEA conventionné, plurilingual, 6.00 €/h (= the SEA cap 6.00, §1:
  no supplement), meals 4.50 € (= the meal cap 4.50).
* Period 2025-03 = 2025-03-03 to 2025-04-06 (§7), all five weeks school weeks (carnival ended
  23.02, Easter starts 05.04, a Saturday); the child is 2, so §5.1 school-time care does not
  apply and §5.2 gives the first 20 h of each week free at the plurilingual crèche.

Per hour (§4): state = min(6.00, 6.00) − rate → free 6.00; T2 4.90 (parent 1.10); T3 4.20
(parent 1.80); beyond 60 h 0.00 (parent 6.00). Per meal (§6): first 5 of the week parent
1.50, state 3.00; 6th meal parent 4.50.

Week of 03-03 (the demo week), Mon–Fri 08:00–17:00 = 45 h, 5 meals:
  20 h free (state 120.00), T1 8 h (state 48.00), T2 17 h (parent 18.70, state 83.30);
  meals parent 7.50, state 15.00 → parent 26.20, state 266.30.
Week of 03-10, as 03-03 but Wednesday corrected to 08:00–14:30 → 42.5 h:
  T2 14.5 h (parent 15.95, state 71.05) → parent 15.95 + 7.50 = 23.45,
  state 120.00 + 48.00 + 71.05 + 15.00 = 254.05.
Week of 03-17, as 03-03 → parent 26.20, state 266.30.
Week of 03-24, Mon–Fri 07:30–18:30 (55 h) + Saturday 09:00–15:00 (6 h) = 61 h, 6 meals:
  20 h free, T1 8 h, T2 21 h (parent 23.10, state 102.90), T3 11 h up to 60 h (parent
  19.80, state 46.20), 1 h beyond 60 (parent 6.00); 5 meals 7.50 / 15.00 + 6th meal 4.50
  → parent 23.10 + 19.80 + 6.00 + 7.50 + 4.50 = 60.90,
  state 120.00 + 48.00 + 102.90 + 46.20 + 15.00 = 332.10.
Week of 03-31, Mon–Wed 08:00–17:00 = 27 h, 3 meals: 20 h free, T1 7 h (state 42.00);
  meals 4.50 / 9.00 → parent 4.50, state 171.00.
Period: parent 26.20 + 23.45 + 26.20 + 60.90 + 4.50 = 141.25;
  state 266.30 + 254.05 + 266.30 + 332.10 + 171.00 = 1,289.75;
  check: 220.5 h × 6.00 + 24 meals × 4.50 = 1,323.00 + 108.00 = 1,431.00 = 141.25 + 1,289.75.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from csa_shared.testing.broker import free_port

REPO = Path(__file__).resolve().parents[2]
D = Decimal

WEEKS = {
    "2025-03-03": (D("26.20"), D("266.30")),
    "2025-03-10": (D("23.45"), D("254.05")),
    "2025-03-17": (D("26.20"), D("266.30")),
    "2025-03-24": (D("60.90"), D("332.10")),
    "2025-03-31": (D("4.50"), D("171.00")),
}
# (rule, quantity, parent amount, state amount) of the long week, in invoice order
LONG_WEEK = [
    ("plurilingual_free", "20.00", "0.00", "120.00"),
    ("tranche_1", "8.00", "0.00", "48.00"),
    ("tranche_2", "21.00", "23.10", "102.90"),
    ("tranche_3", "11.00", "19.80", "46.20"),
    ("unsupported", "1.00", "6.00", "0.00"),
    ("meal_category_rate", "5", "7.50", "15.00"),
    ("meal_extra", "1", "4.50", "0.00"),
]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("walkthrough", REPO / "scripts/walkthrough.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["walkthrough"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


walkthrough = _load_script()


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``csa run`` on a free port with a fresh var directory: (base URL, its environment)."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith("_DATABASE_URL")
        and key not in {"KAFKA_BOOTSTRAP_SERVERS", "IDENTITY_URL", "SMS_GATEWAY_URL"}
        and key not in {"CSA_CALENDAR_DIR", "CSA_DEMO_DATA"}
    }
    env |= {
        "CSA_VAR_DIR": str(tmp_path / "var"),
        "CSA_HTTP_HOST": "127.0.0.1",
        "CSA_HTTP_PORT": str(port),
        "CSA_LOG_LEVEL": "WARNING",
        "CSA_OUTBOX_POLL_SECONDS": "0.05",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "csa", "run"], cwd=REPO, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)  # a real server starting: nothing to fast-forward
        yield base, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _amounts(invoice: dict, week: str) -> list[tuple[str, str, str, str]]:
    return [
        (line["rule"], line["quantity"], line["parent_amount"], line["state_amount"])
        for line in invoice["lines"]
        if line["week"] == week
    ]


def test_walkthrough_bills_the_demo_month_141_25_to_the_parent_1289_75_to_the_state(
    platform: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base, env = platform
    said: list[str] = []

    first = walkthrough.walkthrough(base, env=env, say=said.append)

    # the terms the hand-worked figures assume are the ones the services show
    terms = first.terms
    assert (terms.category, terms.rank, terms.schooling) == ("lt_2_5", 2, "none")
    assert (terms.provider_type, terms.plurilingual) == ("sea_conventionne", True)
    assert (terms.hourly_price, terms.meal_price) == (D("6.00"), D("4.50"))
    assert first.closed_now and first.registered_now

    invoice = first.invoice
    assert invoice["month"] == "2025-03" and invoice["child_id"] == walkthrough.CHILD
    assert invoice["number"] == "2025-0000001"
    assert walkthrough.week_totals(invoice) == WEEKS
    assert (D(invoice["parent_total"]), D(invoice["state_total"])) == (D("141.25"), D("1289.75"))
    assert (D(first.period["parent_total"]), D(first.period["state_total"])) == (
        D("141.25"),
        D("1289.75"),
    )
    assert _amounts(invoice, "2025-03-24") == LONG_WEEK
    assert ("tranche_2", "14.50", "15.95", "71.05") in _amounts(invoice, "2025-03-10")
    assert not any(line["rule"] == "no_contract" for line in invoice["lines"])
    assert first.pdf_path == tmp_path / "var" / "walkthrough-invoice.pdf"
    assert first.pdf_path.read_bytes().startswith(b"%PDF")

    # what the script prints: every line, then the totals
    printed = "\n".join(walkthrough.invoice_lines(invoice))
    assert "meal_extra" in printed and "unsupported" in printed
    assert printed.splitlines()[-1].split() == ["total:", "parent", "141.25", "state", "1289.75"]

    # run twice: the closed period is only read, the parent logs in, the invoice is the same
    second = walkthrough.walkthrough(base, env=env, say=said.append)
    assert not second.closed_now and not second.registered_now
    assert second.invoice == invoice
    assert any("already closed" in line for line in said)
