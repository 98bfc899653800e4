"""The generated documents under ``docs/api/`` and their comparison with the committed ones."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from csa.contracts.asyncapi import build_asyncapi
from csa.contracts.openapi import DOCS_DIR, build_openapi, render_json
from csa_shared.settings import SERVICES

__all__ = ["differences", "render_json", "render_yaml", "rendered", "write"]

ASYNCAPI_FILE = "asyncapi.yaml"
REGENERATE = "run `make docs` (.venv/bin/csa docs generate) and commit docs/api/"


def render_yaml(document: object) -> str:
    text: str = yaml.dump(
        document, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100
    )
    return text


class _NoAliases(yaml.SafeDumper):  # type: ignore[misc]
    """Write a shared object out in full each time: no ``&id001`` anchors for readers."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def rendered() -> dict[str, str]:
    """File name under ``docs/api/`` → its content as generated from the code now."""
    files = {f"{name}.openapi.json": render_json(build_openapi(name)) for name in SERVICES}
    files[ASYNCAPI_FILE] = render_yaml(build_asyncapi())
    return files


def write(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Write every document; returns the files whose content changed."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in rendered().items():
        target = docs_dir / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


def differences(docs_dir: Path = DOCS_DIR, *, context_lines: int = 40) -> dict[str, str]:
    """File name → a unified diff (committed → generated), for every file that differs."""
    found = {}
    for name, text in rendered().items():
        target = docs_dir / name
        committed = target.read_text(encoding="utf-8") if target.exists() else ""
        if committed == text:
            continue
        diff = difflib.unified_diff(
            committed.splitlines(),
            text.splitlines(),
            fromfile=f"committed docs/api/{name}" if target.exists() else "(missing)",
            tofile=f"generated {name}",
            lineterm="",
        )
        lines = list(diff)
        more = len(lines) - context_lines
        found[name] = "\n".join(lines[:context_lines]) + (
            f"\n… {more} more lines" if more > 0 else ""
        )
    return found
