"""The barème: tranche hours and parent rates by category and rank (csa-rules.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import yaml

from csa_shared.rules.categories import Category
from csa_shared.rules.errors import RuleDataError, RuleInputError

#: Rank 4 and above share one row of the grid.
HIGHEST_RANK_ROW = 4


@dataclass(frozen=True, slots=True)
class Tariff:
    """Parent's hourly contribution per tranche and per meal for one category and rank row."""

    category: Category
    rank_row: int
    tranche_hours: tuple[int, int, int]
    rates: tuple[Decimal, Decimal, Decimal]
    meal_rate_young: Decimal
    meal_rate_school_age: Decimal

    def meal_rate(self, *, school_age: bool) -> Decimal:
        """Parent's rate per supported meal: young or school-age column (§3)."""
        return self.meal_rate_school_age if school_age else self.meal_rate_young


TariffGrid = dict[tuple[Category, int], Tariff]


def _amount(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise RuleDataError(where, f"amount must be a string like '1.50', got {value!r}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise RuleDataError(where, f"not a decimal amount: {value!r}") from None
    if amount < 0:
        raise RuleDataError(where, f"negative amount {value}")
    return amount


def _parse_row(category: Category, raw: Any, source: str) -> list[Tariff]:
    where = f"{source}: {category.value}"
    if not isinstance(raw, dict):
        raise RuleDataError(where, "must be a mapping")
    hours = raw.get("tranche_hours")
    if not (isinstance(hours, list) and len(hours) == 3 and all(isinstance(h, int) for h in hours)):
        raise RuleDataError(where, "tranche_hours must be three integers")
    if sum(hours) != 60 or min(hours) < 0:
        raise RuleDataError(where, "tranche hours must be non-negative and add up to 60")
    meal, rates = raw.get("meal"), raw.get("rates")
    if not isinstance(meal, dict) or not isinstance(rates, dict):
        raise RuleDataError(where, "meal and rates must be mappings")
    if set(rates) != {1, 2, 3, 4}:
        raise RuleDataError(where, "rates must have rows for ranks 1, 2, 3 and 4 (4+)")
    tariffs = []
    for rank in (1, 2, 3, 4):
        row = rates[rank]
        if not isinstance(row, list) or len(row) != 3:
            raise RuleDataError(f"{where} rank {rank}", "needs three tranche rates")
        t1, t2, t3 = (_amount(v, f"{where} rank {rank}") for v in row)
        tariffs.append(
            Tariff(
                category=category,
                rank_row=rank,
                tranche_hours=(hours[0], hours[1], hours[2]),
                rates=(t1, t2, t3),
                meal_rate_young=_amount(meal.get("young"), f"{where} meal"),
                meal_rate_school_age=_amount(meal.get("school_age"), f"{where} meal"),
            )
        )
    return tariffs


def load_tariff_grid(text: str, *, source: str = "tariffs.yaml") -> TariffGrid:
    """Parse and validate a barème document; every category must have every rank row."""
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or not doc.get("source"):
        raise RuleDataError(source, "the document must name its `source`")
    raw = doc.get("categories")
    if not isinstance(raw, dict):
        raise RuleDataError(source, "`categories` must be a mapping")
    unknown = set(raw) - {c.value for c in Category}
    if unknown:
        raise RuleDataError(source, f"unknown categories {sorted(unknown)}")
    grid: TariffGrid = {}
    aliases: dict[Category, Category] = {}
    for code, row in raw.items():
        category = Category(code)
        if isinstance(row, dict) and "same_as" in row:
            aliases[category] = Category(row["same_as"])
            continue
        for tariff in _parse_row(category, row, source):
            grid[(category, tariff.rank_row)] = tariff
    for category, target in aliases.items():
        for rank in (1, 2, 3, 4):
            if (target, rank) not in grid:
                raise RuleDataError(source, f"{category.value}: same_as {target.value} is missing")
            base = grid[(target, rank)]
            grid[(category, rank)] = Tariff(
                category, rank, base.tranche_hours, base.rates,
                base.meal_rate_young, base.meal_rate_school_age,
            )  # fmt: skip
    missing = [c.value for c in Category if (c, 1) not in grid]
    if missing:
        raise RuleDataError(source, f"categories without tariffs: {missing}")
    return grid


@cache
def shipped_tariff_grid() -> TariffGrid:
    """The barème shipped in `data/tariffs.yaml`, loaded and validated once."""
    text = resources.files("csa_shared.rules").joinpath("data/tariffs.yaml").read_text("utf-8")
    return load_tariff_grid(text)


def rank_row(rank: int) -> int:
    """Grid row of a child's rank: 1, 2, 3, or 4 for rank 4 and above (§3)."""
    if rank < 1:
        raise RuleInputError("rank", f"must be 1 or more, got {rank}")
    return min(rank, HIGHEST_RANK_ROW)


def tariff_for(category: Category, rank: int) -> Tariff:
    """Tariff of a category and a child's rank among the household's children (§3)."""
    return shipped_tariff_grid()[(category, rank_row(rank))]
