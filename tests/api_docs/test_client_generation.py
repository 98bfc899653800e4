"""Partners generate whole clients from the committed documents, in Python and TypeScript.

Each generator (openapi-python-client from PyPI, openapi-typescript from npm; both pinned and
installed by ``make install`` into ``.venv/tools``) must write every operation of the
document, with no warning: a generator that skips an operation says so only in a warning.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from csa.contracts.openapi import REPO_ROOT, openapi_path
from csa_shared.http.openapi import operations
from csa_shared.settings import SERVICES
from tests.api_docs.partner import generate

TYPESCRIPT_TOOLS = REPO_ROOT / ".venv" / "tools" / "openapi-typescript" / "node_modules" / ".bin"
PARAMETER = re.compile(r"\{[^}]*\}")
PYTHON_REQUEST = re.compile(r'"method": "(\w+)",\s*"url": "([^"]+)"')
TYPESCRIPT_PATH = re.compile(r'^    "([^"]+)": \{$')
TYPESCRIPT_OPERATION = re.compile(r'^        (\w+): operations\["(\w+)"\];$')


def _document_operations(service: str) -> set[tuple[str, str]]:
    document: dict[str, Any] = json.loads(openapi_path(service).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    return {(method, PARAMETER.sub("{}", path)) for method, path, _ in operations(document)}


def _python_operations(package: Path) -> set[tuple[str, str]]:
    found = set()
    for module in (package / "api").rglob("*.py"):
        for method, url in PYTHON_REQUEST.findall(module.read_text(encoding="utf-8")):
            found.add((method, PARAMETER.sub("{}", url)))
    return found


def _typescript_operations(declarations: str) -> set[tuple[str, str]]:
    found, path = set(), None
    for line in declarations.splitlines():
        if line.startswith(("export interface operations", "export interface webhooks")):
            break  # the webhooks (identity's) are requests partners receive, not operations
        if match := TYPESCRIPT_PATH.match(line):
            path = match.group(1)
        elif (match := TYPESCRIPT_OPERATION.match(line)) and path is not None:
            found.add((match.group(1), PARAMETER.sub("{}", path)))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_python_client_generates_every_operation_without_a_warning(
    service: str, tmp_path: Path
) -> None:
    package = generate(service, tmp_path)  # fails on a warning
    expected = _document_operations(service)
    assert _python_operations(tmp_path / package) == expected


def _typescript_tool(name: str) -> str:
    tool = TYPESCRIPT_TOOLS / name
    if not tool.is_file():
        pytest.fail(
            f"{name} is not installed: `make install` runs scripts/install-openapi-typescript.sh"
        )
    return str(tool)


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_typescript_generates_every_operation_without_a_warning(
    service: str, tmp_path: Path
) -> None:
    target = tmp_path / f"{service}.d.ts"
    generated = subprocess.run(
        [_typescript_tool("openapi-typescript"), str(openapi_path(service)), "-o", str(target)],  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    said = output.replace(str(tmp_path), "").replace(str(openapi_path(service)), "")  # type: ignore[arg-type]
    assert not re.search(r"warn|error|✘", said, re.IGNORECASE), output
    declarations = target.read_text(encoding="utf-8")
    assert _typescript_operations(declarations) == _document_operations(service)
    webhooks = json.loads(openapi_path(service).read_text(encoding="utf-8")).get("webhooks", {})  # type: ignore[arg-type]
    for name in webhooks:  # their payload types, for the partners' receivers
        assert f'    "{name}": {{' in declarations.split("export interface webhooks", 1)[-1], name
    checked = subprocess.run(
        [_typescript_tool("tsc"), "--noEmit", "--strict", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
