"""`make bench` rewrites the top of bench/RESULTS.md and keeps the hand-written notes below
its marker (issue 24: every figure beside its baseline, the notes of each change kept)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_all():  # bench/ is scripts, not a package
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "bench" / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_notes_below_the_marker_are_kept(tmp_path: Path) -> None:
    run_all = _run_all()
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# old figures\n\n{run_all.NOTES_MARKER}\n\n## a change\nfigures\n")

    assert run_all.kept_notes(results) == f"{run_all.NOTES_MARKER}\n\n## a change\nfigures\n"


def test_a_file_without_notes_gets_the_marker(tmp_path: Path) -> None:
    run_all = _run_all()
    assert run_all.kept_notes(tmp_path / "RESULTS.md") == run_all.NOTES_MARKER + "\n"
    (tmp_path / "RESULTS.md").write_text("# figures only\n")
    assert run_all.kept_notes(tmp_path / "RESULTS.md") == run_all.NOTES_MARKER + "\n"


def test_the_committed_results_hold_the_marker() -> None:
    text = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    assert text.count(_run_all().NOTES_MARKER) == 1
