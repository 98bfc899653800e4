"""csa_billing."""

from pathlib import Path

from csa_shared.compiled import load_compiled_if_fresh

#: Whether the rules engine (`csa_billing.domain`) runs mypyc-compiled (`make compile`).
DOMAIN_COMPILED = load_compiled_if_fresh(Path(__file__).parent / "domain")
