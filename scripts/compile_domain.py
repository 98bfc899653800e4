"""Compile the hot pure domain packages with mypyc, in place.

Usage: python scripts/compile_domain.py [--clean]

The billing rules engine (`csa_billing.domain`) is pure, strictly typed code (mypy --strict);
mypyc turns it into C extension modules that run about twice as fast (bench/bench_rules.py
prints which build ran). The extension modules land next to the sources with a manifest of the
sources' hashes, so an edited source is never shadowed by a stale build: `csa_shared.compiled`
then loads the pure modules until the next `make compile`. `CSA_PURE_PYTHON=1` forces the pure
modules. The attendance domain stays pure: mypyc cannot compile its generic dataclasses, and
compiling the rest saved only ~10 % of the ingest CPU (bench/bench_ingest.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: package -> the source root it is imported from
PACKAGES = {
    "csa_billing.domain": ROOT / "services" / "billing" / "src",
}
BUILD_DIR = ROOT / "build" / "mypyc"

sys.path.insert(0, str(ROOT / "shared" / "src"))
from csa_shared.compiled import MANIFEST_NAME, write_manifest  # noqa: E402


def package_dir(package: str) -> Path:
    return PACKAGES[package].joinpath(*package.split("."))


def modules(package: str) -> list[str]:
    paths = package_dir(package).glob("*.py")
    return sorted(path.stem for path in paths if path.stem != "__init__")


def clean(package: str) -> None:
    directory = package_dir(package)
    for artefact in [*directory.glob("*.so"), *directory.glob("*.pyd"), directory / MANIFEST_NAME]:
        artefact.unlink(missing_ok=True)


def compile_in_place(package: str) -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    clean(package)
    os.chdir(PACKAGES[package])
    os.environ["MYPYPATH"] = str(ROOT / "shared" / "src")
    sources = [f"{package.replace('.', '/')}/{name}.py" for name in modules(package)]
    build = BUILD_DIR / package
    extensions = mypycify(
        ["--ignore-missing-imports", *sources],
        opt_level="3",
        # The group's shared library lives inside the package: a wheel carries it along.
        group_name=f"{package}.compiled",
        target_dir=str(build / "c"),
    )
    build_dirs = ["--build-temp", str(build / "tmp"), "--build-lib", str(build / "lib")]
    setup(
        name=f"{package}-compiled",
        ext_modules=extensions,
        script_args=["--quiet", "build_ext", "--inplace", *build_dirs],
    )
    write_manifest(package_dir(package), modules(package))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    remove = parser.parse_args().clean
    for package in PACKAGES:
        clean(package) if remove else compile_in_place(package)


if __name__ == "__main__":
    main()
