"""Tests that scan the platform's source for a forbidden construct (a rounding outside the
money module, a date other than Luxembourg's): the files scanned, and a planted example to
show that a scan finds what it forbids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

#: the repository's root (this file is shared/src/csa_shared/testing/source_scan.py)
ROOT = Path(__file__).resolve().parents[4]


def code_files(root: Path = ROOT) -> list[Path]:
    """Every service's source, the shared library and the ``csa`` package (no tests)."""
    trees = [*sorted((root / "services").glob("*/src")), root / "shared/src", root / "src"]
    return [f for tree in trees for f in sorted(tree.rglob("*.py"))]


def planted_hits(tmp_path: Path, source: str, scan: Callable[[Path], list[str]]) -> list[str]:
    """``scan``'s findings, as sorted ``line what``, in a service tree under ``tmp_path``
    holding one module of ``source``: the scan reads it as it reads the real trees."""
    planted = tmp_path / "services/demo/src/csa_demo/planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(source, encoding="utf-8")
    files = code_files(tmp_path)
    assert files == [planted]
    return sorted(hit.split(":", 1)[1] for f in files for hit in scan(f))
