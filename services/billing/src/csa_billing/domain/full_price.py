"""Lines the parent pays in full, outside the CSA: the weeks without a contract in force
(rule ``no_contract``, csa-rules.md §8: no valid contract, no CSA) and other charges (rule
``other_charge``: excursions and the like, billed to the family as any provider would)."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from csa_billing.domain.lines import amount_for_minutes, hours_of
from csa_billing.domain.model import Provider
from csa_shared.rules.money import round_cents

NO_CONTRACT = "no_contract"
NO_CONTRACT_SECTION = "csa-rules.md §8 (no valid contract, no CSA)"
OTHER_CHARGE = "other_charge"


class ParentLine(NamedTuple):
    """quantity x unit price, all of it the parent's (the state pays nothing)."""

    provider: str
    kind: str
    rule: str
    section: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal  # rounded to the cent
    record_ids: tuple[str, ...]


def _line(
    provider: str, kind: str, quantity: Decimal, price: Decimal, amount: Decimal, ids: list[str]
) -> ParentLine:
    return ParentLine(
        provider,
        kind,
        NO_CONTRACT,
        NO_CONTRACT_SECTION,
        quantity,
        price,
        round_cents(amount),
        tuple(sorted(set(ids))),
    )


def no_contract_lines(
    provider: Provider, minutes: int, presence_ids: list[str], meals: int, meal_ids: list[str]
) -> list[ParentLine]:
    """A week of care and meals at ``provider`` without a contract in force: the provider's
    full hourly and meal prices (a care line, then a meal line, each when not empty)."""
    lines = []
    if minutes:
        amount = amount_for_minutes(minutes, provider.hourly_price)
        lines.append(
            _line(
                provider.id,
                "care",
                hours_of(minutes),
                provider.hourly_price,
                amount,
                presence_ids,
            )
        )
    if meals:
        amount = provider.meal_price * meals
        lines.append(
            _line(provider.id, "meal", Decimal(meals), provider.meal_price, amount, meal_ids)
        )
    return lines


def other_charge_line(provider: str, kind: str, amount: Decimal, record_id: str) -> ParentLine:
    """One other charge of ``kind``: its amount, once, to the parent."""
    return ParentLine(
        provider,
        OTHER_CHARGE,
        OTHER_CHARGE,
        f"outside the CSA: {kind}",
        Decimal(1),
        amount,
        round_cents(amount),
        (record_id,),
    )
