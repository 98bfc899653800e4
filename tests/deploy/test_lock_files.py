"""The hashed lock files (requirements/) agree with pyproject.toml's pins and with each other,
and `make` and the Dockerfile install from them with --require-hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from .manifests import REPO

LOCKS = REPO / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    return {
        _name(found.group(1)): found.group(2)
        for line in lines
        if (found := PIN.match(line.strip()))
    }


def _locked(file: str) -> dict[str, str]:
    return _pins((LOCKS / file).read_text(encoding="utf-8").splitlines())


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("run.txt", ["dependencies"]), ("dev.txt", ["dependencies", "compile", "dev"])],
)
def test_every_pin_of_pyproject_is_locked_at_that_version(lock: str, groups: list[str]) -> None:
    project = _project()
    wanted: dict[str, str] = {}
    for group in groups:
        requirements = (
            project[group] if group == "dependencies" else project["optional-dependencies"][group]
        )
        wanted |= _pins([re.sub(r"\[[^\]]*\]", "", r) for r in requirements])  # no extras
    locked = _locked(lock)
    assert {name: locked.get(name) for name in wanted} == wanted


def test_the_compile_lock_pins_the_compile_extra_within_the_run_lock() -> None:
    compile_extra = _pins(_project()["optional-dependencies"]["compile"])
    source = _pins((LOCKS / "compile.in").read_text(encoding="utf-8").splitlines())
    compiled = _locked("compile.txt")
    assert source == compile_extra
    assert {name: compiled[name] for name in compile_extra} == compile_extra
    run = _locked("run.txt")
    assert {n: v for n, v in compiled.items() if n in run} == {
        n: run[n] for n in compiled if n in run
    }


def test_the_dev_lock_holds_the_run_and_compile_locks_unchanged() -> None:
    dev = _locked("dev.txt")
    for lock in ("run.txt", "compile.txt"):
        pins = _locked(lock)
        assert {name: dev.get(name) for name in pins} == pins, lock


@pytest.mark.parametrize("lock", ["run.txt", "compile.txt", "dev.txt"])
def test_every_locked_requirement_carries_hashes_and_no_local_path(lock: str) -> None:
    text = (LOCKS / lock).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    requirements = [e for e in entries if PIN.match(e)]
    assert len(requirements) == len(_locked(lock)) > 5
    for entry in requirements:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    assert "file://" not in text and " @ " not in text


def test_make_and_the_image_install_from_the_locks_with_hashes() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/run.txt -r requirements/compile.txt" in makefile
    assert "--require-hashes -r requirements/dev.txt" in makefile
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/compile.txt" in dockerfile
    assert "--require-hashes -r requirements/run.txt" in dockerfile
    assert "pip install --no-deps /wheels/" in dockerfile
    assert "!requirements/" in Path(REPO / ".dockerignore").read_text(encoding="utf-8")
