"""Generate a partner's Python client from a committed OpenAPI document.

openapi-python-client (pinned, installed offline by ``make install`` into its own virtual
environment because it pins an older typer than the platform) writes a package that the
tests import and use as a partner would, with the configuration partners are given
(``docs/api/openapi-python-client.yaml``). A warning of the generator fails the generation:
it means an operation or a response was left out.
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

CONFIG = REPO_ROOT / "docs" / "api" / "openapi-python-client.yaml"
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


def generate(service: str, out: Path) -> str:
    """Write ``<out>/csa_<service>_partner_client``; returns the package name.

    Fails the test on a non-zero exit and on any warning the generator prints.
    """
    package = f"csa_{service}_partner_client"
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
            str(CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_PROXY": "*"},
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    said = output.replace(str(out), "").lower()  # the paths may contain any word
    assert "warning" not in said and "error" not in said, output
    return package


@contextmanager
def generated_client(service: str, out: Path) -> Iterator[ModuleType]:
    """The package generated from ``docs/api/<service>.openapi.json``, importable meanwhile."""
    package = generate(service, out)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]
