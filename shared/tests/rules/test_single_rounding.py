"""One rounding rule (csa-rules.md): every rounding of a decimal lives in
``csa_shared.rules.money`` (amounts half-up to the cent once per line, quantities shown beside
them half-up too). Any ``quantize(`` / ``round(`` / ``ROUND_*`` / ``rounding=`` / decimal
context elsewhere in the service code, the shared library or the ``csa`` package fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from csa_shared.testing.source_scan import ROOT, code_files, planted_hits

ALLOWED = ROOT / "shared/src/csa_shared/rules/money.py"
CONTEXTS = {"getcontext", "localcontext", "setcontext", "Context"}


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


def test_no_code_rounds_decimals_outside_the_money_module() -> None:
    files = code_files()
    assert len(files) > 100 and ALLOWED in files  # the scan reads the real trees
    assert [hit for f in files if f != ALLOWED for hit in roundings(f)] == []


def test_the_scan_finds_each_kind_of_planted_rounding(tmp_path: Path) -> None:
    source = (
        "from decimal import ROUND_HALF_EVEN, Decimal, localcontext\n"
        "from csa_shared.rules.money import round_cents\n"
        "def share(x: Decimal) -> Decimal:\n"
        "    a = x.quantize(Decimal('0.01'))\n"
        "    b = round(x, 2)\n"
        "    c = x.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN)\n"
        "    return a + b + c + round_cents(x)\n"
    )
    assert planted_hits(tmp_path, source, roundings) == [
        "1 import ROUND_HALF_EVEN",
        "1 import localcontext",
        "4 .quantize()",
        "5 round()",
        "6 .quantize()",
        "6 ROUND_HALF_EVEN",
        "6 rounding=",
    ]
