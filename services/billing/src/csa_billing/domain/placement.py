"""A child placed in an institution (csa-rules.md §2, seed 004 §1): the state pays all.

The week's amounts are computed as for any child, with the ``lt_4_5`` tariffs (the category
membership gives a placed child), and the state then takes over the whole of them, the
parent share included: the family's invoice shows 0.00 to pay, and a line per provider says
that the state covers that share (parent -x, state +x), so the provider's statement carries
the whole amount as state money. Amounts outside the CSA (a provider's other charges) are
not the engine's lines and are not taken over.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from csa_billing.domain.lines import Line, LineKind, Rule
from csa_shared.rules.categories import Category
from csa_shared.rules.money import ZERO

ONE = Decimal(1)


def tariff_category(category: Category, state_pays_all: bool) -> Category:
    """The category whose tariffs price the week: ``lt_4_5`` for a placed child, whatever
    category the contract names (membership names ``lt_4_5`` for one too)."""
    return Category.LT_4_5 if state_pays_all else category


def state_takeover_lines(lines: Sequence[Line]) -> list[Line]:
    """The lines moving the parent's share of a week's ``lines`` to the state: one per
    provider whose lines leave the parent something to pay (net of every line, a holiday
    cap relief included), in the order the providers first appear; none when the parent
    owes nothing. Amounts are already rounded: the sum is exact, nothing is rounded again."""
    owed: dict[str, Decimal] = {}
    for line in lines:
        owed[line.provider] = owed.get(line.provider, ZERO) + line.parent_amount
    return [
        Line(provider, LineKind.STATE_TAKEOVER, Rule.INSTITUTION_PLACEMENT, ONE, ZERO, ZERO,
             ZERO, -amount, amount)
        for provider, amount in owed.items()
        if amount != 0
    ]  # fmt: skip
