"""``csa docs generate`` writes docs/api; ``csa docs check`` exits 1 listing differences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csa import docs_cli
from csa.contracts import documents

runner = CliRunner()


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, generated_files: dict[str, str]) -> None:
    """Reuse this session's generation (built from the code once) to keep the test fast."""
    monkeypatch.setattr(documents, "rendered", lambda: dict(generated_files))


def test_generate_writes_every_document_sorted_indented_with_a_trailing_newline(
    tmp_path: Path, cached: None
) -> None:
    result = runner.invoke(docs_cli.app, ["generate", "--docs-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "asyncapi.yaml",
        "attendance.openapi.json",
        "billing.openapi.json",
        "identity.openapi.json",
        "membership.openapi.json",
    ]
    text = (tmp_path / "billing.openapi.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert document["info"]["title"] == "CSA billing service"


def test_check_passes_on_current_documents_and_fails_listing_a_stale_one(
    tmp_path: Path, cached: None
) -> None:
    assert runner.invoke(docs_cli.app, ["generate", "--docs-dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(docs_cli.app, ["check", "--docs-dir", str(tmp_path)]).exit_code == 0

    stale = tmp_path / "billing.openapi.json"
    document = json.loads(stale.read_text(encoding="utf-8"))
    document["info"]["version"] = "0.9.0"
    stale.write_text(documents.render_json(document), encoding="utf-8")
    (tmp_path / "asyncapi.yaml").unlink()

    result = runner.invoke(docs_cli.app, ["check", "--docs-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "billing.openapi.json differs from the code" in result.output
    assert '-    "version": "0.9.0"' in result.output
    assert "asyncapi.yaml differs from the code" in result.output
    assert "2 document(s) out of date: run `make docs`" in result.output


def test_generate_on_current_documents_changes_nothing(tmp_path: Path, cached: None) -> None:
    runner.invoke(docs_cli.app, ["generate", "--docs-dir", str(tmp_path)])
    result = runner.invoke(docs_cli.app, ["generate", "--docs-dir", str(tmp_path)])
    assert "0 document(s) changed" in result.output
