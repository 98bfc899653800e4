"""Generate a partner's Python client from a committed OpenAPI document.

openapi-python-client (pinned, installed offline by ``make install`` into its own virtual
environment because it pins an older typer than the platform) writes a package that the
tests import and use as a partner would.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from csa.contracts.openapi import REPO_ROOT, openapi_path

TOOL = REPO_ROOT / ".venv" / "tools" / "openapi-python-client" / "bin" / "openapi-python-client"


def _generator() -> str:
    for candidate in (os.environ.get("CSA_OPENAPI_PYTHON_CLIENT"), str(TOOL)):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("openapi-python-client")
    if found is None:
        pytest.fail(
            f"openapi-python-client is not installed: `make install` puts it in {TOOL.parent} "
            "(python -m venv .venv/tools/openapi-python-client && "
            ".venv/tools/openapi-python-client/bin/pip install openapi-python-client==0.29.1)"
        )
    return found


@contextmanager
def generated_client(service: str, out: Path) -> Iterator[ModuleType]:
    """The package generated from ``docs/api/<service>.openapi.json``, importable meanwhile."""
    package = f"csa_{service}_partner_client"
    config = out / "config.yaml"
    config.write_text("post_hooks: []\n")
    generated = subprocess.run(
        [
            _generator(),
            "generate",
            "--path",
            str(openapi_path(service)),
            "--meta",
            "none",
            "--output-path",
            str(out / package),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_PROXY": "*"},
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]
