"""Compile the billing rules engine (`csa_billing.domain`) with mypyc, in place.

Usage: python scripts/compile_domain.py [--clean]

The engine is pure, strictly typed code (mypy --strict); mypyc turns it into C extension
modules that run about twice as fast (bench/bench_rules.py prints which build ran). The
extension modules land next to the sources with a manifest of the sources' hashes, so an
edited source is never shadowed by a stale build: `csa_shared.compiled` then loads the pure
modules until the next `make compile`. `CSA_PURE_PYTHON=1` forces the pure modules.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOT = ROOT / "services" / "billing" / "src"
PACKAGE = SOURCE_ROOT / "csa_billing" / "domain"
#: The group's shared library lives inside the package, so a wheel carries it with the package.
GROUP_NAME = "csa_billing.domain.engine"
BUILD_DIR = ROOT / "build" / "mypyc"

sys.path.insert(0, str(ROOT / "shared" / "src"))
from csa_shared.compiled import MANIFEST_NAME, write_manifest  # noqa: E402


def modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def clean() -> None:
    for artefact in [*PACKAGE.glob("*.so"), *PACKAGE.glob("*.pyd"), PACKAGE / MANIFEST_NAME]:
        artefact.unlink(missing_ok=True)


def compile_in_place() -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    clean()
    os.chdir(SOURCE_ROOT)
    os.environ["MYPYPATH"] = str(ROOT / "shared" / "src")
    sources = [f"csa_billing/domain/{name}.py" for name in modules()]
    extensions = mypycify(
        ["--ignore-missing-imports", *sources],
        opt_level="3",
        group_name=GROUP_NAME,
        target_dir=str(BUILD_DIR / "c"),
    )
    build_dirs = ["--build-temp", str(BUILD_DIR / "tmp"), "--build-lib", str(BUILD_DIR / "lib")]
    setup(
        name="csa-billing-domain-compiled",
        ext_modules=extensions,
        script_args=["--quiet", "build_ext", "--inplace", *build_dirs],
    )
    write_manifest(PACKAGE, modules())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    if parser.parse_args().clean:
        clean()
    else:
        compile_in_place()


if __name__ == "__main__":
    main()
