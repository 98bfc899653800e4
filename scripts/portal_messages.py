"""The portal's message ids, found in its templates (``_("...")``) and code (``N_``/``_``).

``python scripts/portal_messages.py`` lists the ids missing from each ``.po`` catalogue; the
portal's i18n test runs the same check (every text translated in every language).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "services/portal/src/csa_portal"
TEMPLATE_CALL = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")


def message_ids() -> set[str]:
    found: set[str] = set()
    for template in (PACKAGE / "templates").glob("*.html"):
        for double, single in TEMPLATE_CALL.findall(template.read_text()):
            found.add(double or single)
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def main() -> int:
    sys.path.insert(0, str(PACKAGE.parent))
    from csa_portal.i18n import LANGUAGES, catalogue

    missing = 0
    for language in LANGUAGES:
        if language == "en":
            continue
        lacking = sorted(message_ids() - catalogue(language).keys())
        missing += len(lacking)
        for text in lacking:
            print(f"{language}: {text}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
