"""How billing documents are numbered: an invoice by its series and sequence, a statement by
its month and provider (csa-rules.md §7)."""

from __future__ import annotations


def invoice_number(series: str, seq: int) -> str:
    """``2025-0000042``: the series (the period's year) and the number in it, gapless."""
    return f"{series}-{seq:07d}"


def statement_number(month: str, provider_id: str) -> str:
    """One statement per provider and period: ``S2025-03-sea-1``."""
    return f"S{month}-{provider_id}"
