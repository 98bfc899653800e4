"""One rounding rule (csa-rules.md): every rounding of a decimal lives in
``csa_shared.rules.money`` (amounts half-up to the cent once per line, quantities shown beside
them half-up too). Any ``quantize(`` / ``round(`` / ``ROUND_*`` / ``rounding=`` / decimal
context elsewhere in the service code, the shared library or the ``csa`` package fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = ROOT / "shared/src/csa_shared/rules/money.py"
CONTEXTS = {"getcontext", "localcontext", "setcontext", "Context"}


def _code_files(root: Path) -> list[Path]:
    """Every service's source, the shared library and the ``csa`` package (no tests)."""
    trees = [*sorted((root / "services").glob("*/src")), root / "shared/src", root / "src"]
    return [f for tree in trees for f in sorted(tree.rglob("*.py")) if ".venv" not in f.parts]


def roundings(path: Path) -> list[str]:
    """``path:line what`` for each rounding of a decimal outside the money module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        what: list[str] = []
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in {"quantize", "to_integral"}:
                what.append(f".{func.attr}()")
            elif isinstance(func, ast.Name) and func.id == "round":
                what.append("round()")
            if any(k.arg == "rounding" for k in node.keywords):
                what.append("rounding=")
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.startswith("ROUND_") or name in CONTEXTS:
                what.append(name)
        elif isinstance(node, ast.alias) and (
            node.name.startswith("ROUND_") or node.name in CONTEXTS
        ):
            what.append(f"import {node.name}")
        found += [f"{path}:{getattr(node, 'lineno', '?')} {w}" for w in what]
    return found


def rounding_outside_money(files: list[Path]) -> list[str]:
    return [hit for f in files if f != ALLOWED for hit in roundings(f)]


def test_no_code_rounds_decimals_outside_the_money_module() -> None:
    files = _code_files(ROOT)
    assert len(files) > 100 and ALLOWED in files  # the scan reads the real trees
    assert rounding_outside_money(files) == []


def test_the_scan_finds_each_kind_of_planted_rounding(tmp_path: Path) -> None:
    planted = tmp_path / "services/demo/src/csa_demo/pay.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(
        "from decimal import ROUND_HALF_EVEN, Decimal, localcontext\n"
        "def share(x: Decimal) -> Decimal:\n"
        "    a = x.quantize(Decimal('0.01'))\n"
        "    b = round(x, 2)\n"
        "    c = x.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN)\n"
        "    return a + b + c\n"
    )
    untouched = tmp_path / "services/demo/src/csa_demo/fine.py"
    untouched.write_text("from csa_shared.rules.money import round_cents\nx = round_cents\n")
    hits = rounding_outside_money(_code_files(tmp_path))
    lines = sorted(hit.split(":", 1)[1] for hit in hits)
    assert lines == [
        "1 import ROUND_HALF_EVEN",
        "1 import localcontext",
        "3 .quantize()",
        "4 round()",
        "5 .quantize()",
        "5 ROUND_HALF_EVEN",
        "5 rounding=",
    ]
    assert all(hit.startswith(str(planted)) for hit in hits)
