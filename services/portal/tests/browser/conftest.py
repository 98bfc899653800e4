"""``csa run`` on a free port with the month of March 2025 billed, and a real Chromium.

The platform is the embedded one of ``make run`` (one process, SQLite in a fresh
``CSA_VAR_DIR``, the portal at ``/portal/``), started by the walkthrough test's own fixture;
March is declared, corrected and closed exactly as ``scripts/walkthrough.py`` does it (its
own functions), so the invoice the browser reads is the walkthrough's: parent 141.25,
state 1,289.75.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[4]


def _walkthrough_test() -> ModuleType:
    """tests/e2e/test_walkthrough.py, for its ``csa run`` fixture and the loaded script."""
    path = REPO / "tests/e2e/test_walkthrough.py"
    spec = importlib.util.spec_from_file_location("portal_walkthrough_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_e2e = _walkthrough_test()
platform = _e2e.platform
walkthrough = _e2e.walkthrough
__all__ = ["AXE", "CHROMIUM", "platform", "walkthrough"]

CHROMIUM = Path(os.environ.get("CSA_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(
    os.environ.get("CSA_AXE_DIR", REPO / ".venv/tools/axe-core"),
    "node_modules/axe-core/axe.min.js",
)


@pytest.fixture(scope="session", autouse=True)
def browser_tools() -> None:
    """Chromium and axe-core as `make test` installs them (scripts/ensure-chromium.sh)."""
    if not CHROMIUM.exists() or not AXE.exists():
        subprocess.run(["bash", str(REPO / "scripts/ensure-chromium.sh")], check=True)


@pytest.fixture
def march_closed(platform: tuple[str, dict[str, str]]) -> dict[str, Any]:
    """The provider declares and corrects March, billing catches up, the CAE agent closes."""
    base, env = platform
    w = walkthrough
    with httpx.Client(base_url=base, timeout=30) as http:
        agent = w.agent_token(http, *w.create_agent(env))
        provider = w.provider_token(http, *w.create_provider_client(w.PROVIDER, env))
        published, _ = w.attendance_events(http)
        batch = w.post_month(http, provider, w.month_plan())
        corrected = w.correct_presence(http, provider, batch)
        w.wait_for_billing(http, published, batch["accepted"] + corrected)
        return dict(w.close_month(http, agent))
