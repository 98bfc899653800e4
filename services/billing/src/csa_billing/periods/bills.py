"""A child's bill of a period: its lines, per provider, as the close writes them.

A parent pays each provider separately (csa-rules.md §7), so the close writes one invoice
per provider of a bill; the ledger of the period (``child_period``) keeps all the lines,
each provider's in the engine's order, providers sorted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from csa_billing.periods.inputs import ContractTerms

ZERO = Decimal("0.00")


@dataclass(slots=True)
class PeriodBill:
    """The lines of one child's period, with the contract that governs the invoice.

    ``encoded`` and ``sums`` (set by ``assemble.stored_bill``) hold the lines as stored
    (JSON, per provider) and the totals per provider, so a bill computed in a worker process travels
    without its lines. A parent pays each provider separately (csa-rules.md §7): the close
    writes one invoice per provider of the bill (``provider_lines``)."""

    child_id: str
    lines: list[dict[str, object]] = field(default_factory=list)
    contract: ContractTerms | None = None
    plurilingual_weeks: list[date] = field(default_factory=list)
    encoded: dict[str, str] | None = None
    sums: dict[str, tuple[Decimal, Decimal]] | None = None

    def totals(self) -> tuple[Decimal, Decimal]:
        parent, state = ZERO, ZERO
        for p, s in self.by_provider().values():
            parent, state = parent + p, state + s
        return parent, state

    def by_provider(self) -> dict[str, tuple[Decimal, Decimal]]:
        return self.sums if self.sums is not None else provider_totals(self.lines)

    def provider_lines(self) -> dict[str, str]:
        """Each provider's lines as JSON (in the engine's order), providers sorted."""
        if self.encoded is not None:
            return self.encoded
        return {p: json.dumps(mine) for p, mine in sorted(lines_by_provider(self.lines).items())}

    def lines_json(self) -> str:
        """Every line as JSON: each provider's lines, providers sorted (the ledger's order,
        which is also that of the provider invoices put together)."""
        return join_json_lists(self.provider_lines().values())


def lines_by_provider(lines: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    """The lines of each provider, in their order."""
    result: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        result.setdefault(str(line["provider"]), []).append(line)
    return result


def join_json_lists(lists: Iterable[str]) -> str:
    """JSON arrays (as ``json.dumps`` writes them) as one array, written as ``json.dumps``
    would write it."""
    items = [text[1:-1] for text in lists if text != "[]"]
    return f"[{', '.join(items)}]"


def provider_totals(lines: list[dict[str, object]]) -> dict[str, tuple[Decimal, Decimal]]:
    """(parent, state) per provider."""
    result: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        provider = str(line["provider"])
        parent, state = result.get(provider, (ZERO, ZERO))
        result[provider] = (
            parent + Decimal(str(line["parent_amount"])),
            state + Decimal(str(line["state_amount"])),
        )
    return result
