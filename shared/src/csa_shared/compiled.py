"""Load a package's mypyc-compiled modules only when they were built from its current sources.

`scripts/compile_domain.py` compiles hot pure modules with mypyc in place (extension modules next
to the `.py` files) and writes a manifest of the sources' SHA-256. Python's import system prefers
an extension module over a `.py` file of the same name, so a compiled module left behind after an
edit of its source would silently run the old code. `load_compiled_if_fresh` is called by the
package's parent before the package is imported: when the manifest is missing, does not match the
sources, or `CSA_PURE_PYTHON` is set, the package's directory gets a finder that only knows
source and byte-code files, and the pure-Python modules load instead.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib.machinery import (
    BYTECODE_SUFFIXES,
    SOURCE_SUFFIXES,
    FileFinder,
    SourceFileLoader,
    SourcelessFileLoader,
)
from pathlib import Path

MANIFEST_NAME = "_mypyc_manifest.json"
PURE_PYTHON_VARIABLE = "CSA_PURE_PYTHON"


def source_digests(directory: Path, modules: list[str]) -> dict[str, str]:
    """SHA-256 of each module's source file in `directory`."""
    return {
        name: hashlib.sha256((directory / f"{name}.py").read_bytes()).hexdigest()
        for name in sorted(modules)
    }


def write_manifest(directory: Path, modules: list[str]) -> Path:
    manifest = directory / MANIFEST_NAME
    manifest.write_text(json.dumps({"sources": source_digests(directory, modules)}, indent=1))
    return manifest


def compiled_modules_are_fresh(directory: Path) -> bool:
    try:
        recorded: dict[str, str] = json.loads((directory / MANIFEST_NAME).read_text())["sources"]
        return source_digests(directory, list(recorded)) == recorded
    except (OSError, ValueError, KeyError):
        return False


def load_compiled_if_fresh(directory: Path) -> bool:
    """True when the compiled modules of `directory` will be imported, False for pure Python."""
    from csa_shared.settings import EngineSettings

    if not EngineSettings().pure_python and compiled_modules_are_fresh(directory):
        return True
    sys.path_importer_cache[str(directory)] = FileFinder(
        str(directory),
        (SourceFileLoader, SOURCE_SUFFIXES),
        (SourcelessFileLoader, BYTECODE_SUFFIXES),
    )
    return False
