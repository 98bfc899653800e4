"""The mypyc build of the rules engine is loaded only when built from the current sources.

Each case imports the engine in a fresh interpreter (a module, once imported, stays imported)
from a copy of the `csa_billing` package, so that editing a source does not touch the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import csa_billing
from csa_shared.compiled import MANIFEST_NAME

PACKAGE = Path(csa_billing.__file__).parent
BUILT = (PACKAGE / "domain" / MANIFEST_NAME).exists()
if not BUILT and os.environ.get("CI"):
    pytest.fail("make install builds the engine with mypyc; no build found", pytrace=False)
pytestmark = pytest.mark.skipif(not BUILT, reason="engine not compiled (make compile)")

PROBE = """
import json, csa_billing
from csa_billing.domain import week
from csa_billing.domain.model import ChildWeek
print(json.dumps({"compiled": csa_billing.DOMAIN_COMPILED, "week": week.__file__}))
"""


def _import_engine(source_root: Path, **environment: str) -> dict[str, object]:
    search_path = os.pathsep.join(filter(None, [str(source_root), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": search_path}
    env.pop("CSA_PURE_PYTHON", None)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env={**env, **environment},
        capture_output=True, text=True, check=True, cwd=source_root,
    )  # fmt: skip
    result: dict[str, object] = json.loads(completed.stdout)
    return result


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "csa_billing", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_a_build_from_the_current_sources_is_loaded(package_copy: Path) -> None:
    loaded = _import_engine(package_copy)
    assert loaded["compiled"] is True
    assert str(loaded["week"]).endswith(".so")


def test_an_edited_source_is_loaded_instead_of_its_stale_build(package_copy: Path) -> None:
    week = package_copy / "csa_billing" / "domain" / "week.py"
    week.write_text(week.read_text() + "\n# edited after the build\n")
    loaded = _import_engine(package_copy)
    assert loaded["compiled"] is False
    assert loaded["week"] == str(week)


def test_csa_pure_python_forces_the_sources(package_copy: Path) -> None:
    loaded = _import_engine(package_copy, CSA_PURE_PYTHON="1")
    assert loaded["compiled"] is False
    assert str(loaded["week"]).endswith("week.py")


def test_a_missing_manifest_means_pure_python(package_copy: Path) -> None:
    (package_copy / "csa_billing" / "domain" / MANIFEST_NAME).unlink()
    assert _import_engine(package_copy)["compiled"] is False
