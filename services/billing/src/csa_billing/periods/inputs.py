"""What the close knows of one child in one period, as read from the projections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
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
