"""What the close knows of one child in one period, as read from the projections."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class ContractTerms:
    contract_id: str
    version: int
    household_id: str
    category: str
    rank: int
    schooling: str
    birth_date: date
    valid_from: date
    valid_until: date
    effective_from: date
    language: str
    state_pays_all: bool = False  # child placed in an institution (csa-rules.md §2)


@dataclass(frozen=True, slots=True)
class ProviderTerms:
    provider_id: str
    effective_from: date
    type: str
    commune: str
    hourly_price: Decimal
    meal_price: Decimal
    plurilingual: bool


@dataclass(frozen=True, slots=True)
class EducationContract:
    provider_id: str
    start: date
    end: date | None
    hourly_price: Decimal
    billing_mode: str

    def active(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Interval(NamedTuple):
    """A presence or reservation (a tuple: built straight from a query's row)."""

    record_id: str
    provider_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Meal:
    record_id: str
    provider_id: str
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class Sheet:
    sheet_id: str
    provider_id: str
    days: list[dict[str, object]]


@dataclass(frozen=True, slots=True)
class Charge:
    record_id: str
    provider_id: str
    day: date
    kind: str
    amount: Decimal
    description: str


@dataclass(slots=True)
class ChildData:
    """One child's records of one billing period (and the contract history)."""

    child_id: str
    contracts: list[ContractTerms] = field(default_factory=list)
    education: list[EducationContract] = field(default_factory=list)
    presences: list[Interval] = field(default_factory=list)
    reservations: list[Interval] = field(default_factory=list)
    meals: list[Meal] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    plurilingual_used: set[date] = field(default_factory=set)


class ProviderBook:
    """Every provider's dated terms; ``at(provider, day)`` gives the terms in force."""

    def __init__(self, terms: list[ProviderTerms]) -> None:
        self._terms: dict[str, list[ProviderTerms]] = {}
        self.memo: dict[tuple[str, date, Decimal | None], Any] = {}  # engine Providers (assemble)
        for term in sorted(terms, key=lambda t: t.effective_from):
            self._terms.setdefault(term.provider_id, []).append(term)

    def at(self, provider_id: str, day: date) -> ProviderTerms | None:
        found = None
        for term in self._terms.get(provider_id, ()):
            if term.effective_from <= day:
                found = term
            elif found is None:
                return term  # registered later than the record: its first terms apply
        return found

    def latest(self, provider_id: str) -> ProviderTerms | None:
        terms = self._terms.get(provider_id)
        return terms[-1] if terms else None


class ChunkRows(NamedTuple):
    """The projection rows of a chunk of children, as plain tuples ordered by child (cheap
    to build and to send to a worker process); ``children_data`` turns them into inputs."""

    contracts: list[tuple[Any, ...]]
    education: list[tuple[Any, ...]]
    presences: list[tuple[Any, ...]]  # grouped: one row per child (see ``_presences``)
    reservations: list[tuple[Any, ...]]
    meals: list[tuple[Any, ...]]
    sheets: list[tuple[Any, ...]]
    charges: list[tuple[Any, ...]]
    plurilingual: list[tuple[Any, ...]]


_tuple_new: Any = tuple.__new__


def children_data(rows: ChunkRows, child_ids: list[str]) -> dict[str, ChildData]:
    """The rows of a chunk as each child's inputs (rows of other children are ignored)."""
    data = {child: ChildData(child) for child in child_ids}
    for r in rows.contracts:
        if (child := data.get(r[0])) is not None:
            child.contracts.append(ContractTerms(*r[1:]))
    for r in rows.education:
        if (child := data.get(r[0])) is not None:
            child.education.append(EducationContract(*r[1:]))
    for r in rows.presences:  # one row per child: (child, ids, providers, starts, ends)
        if (child := data.get(r[0])) is not None:
            # Interval(*fields) without a Python-level __new__ per presence
            child.presences += map(
                _tuple_new, repeat(Interval), zip(r[1], r[2], r[3], r[4], strict=True)
            )
    for r in rows.reservations:
        if (child := data.get(r[0])) is not None:
            child.reservations.append(Interval._make(r[1:]))
    for r in rows.meals:
        if (child := data.get(r[0])) is not None:
            child.meals.append(Meal(*r[1:]))
    for r in rows.sheets:
        if (child := data.get(r[0])) is not None:
            child.sheets.append(Sheet(r[1], r[2], json.loads(r[3])))
    for r in rows.charges:
        if (child := data.get(r[0])) is not None:
            child.charges.append(Charge(*r[1:]))
    for r in rows.plurilingual:
        if (child := data.get(r[0])) is not None:
            child.plurilingual_used.add(r[1])
    return data
