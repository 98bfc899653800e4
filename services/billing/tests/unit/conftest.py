"""Builders for child-weeks in the engine tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from csa_billing.domain.model import ChildWeek, MealEntry, Presence, Provider, Schooling
from csa_shared.rules.categories import Category
from csa_shared.rules.parameters import ProviderType

MONDAY = date(2025, 3, 10)  # a school week under the newest parameters


class Build:
    """Small, explicit builders so that each test reads like its worked example."""

    monday = MONDAY

    @staticmethod
    def sea(
        pid: str = "s",
        price: str = "6.00",
        meal: str = "4.50",
        *,
        pluri: bool = False,
        commercial: bool = False,
    ) -> Provider:
        kind = ProviderType.SEA_COMMERCIAL if commercial else ProviderType.SEA_CONVENTIONNE
        return Provider(pid, kind, Decimal(price), Decimal(meal), pluri)

    @staticmethod
    def ap(pid: str = "a", price: str = "6.00", meal: str = "4.50") -> Provider:
        return Provider(pid, ProviderType.ASSISTANT_PARENTAL, Decimal(price), Decimal(meal))

    @staticmethod
    def at(
        day: int,
        start: str,
        end: str,
        provider: str = "s",
        *,
        monday: date = MONDAY,
        record: str | None = None,
    ) -> Presence:
        """Presence on day `day` (0 = Monday) from HH:MM to HH:MM (24:00 allowed)."""
        base = datetime.combine(monday + timedelta(days=day), datetime.min.time())

        def moment(text: str) -> datetime:
            hours, minutes = (int(x) for x in text.split(":"))
            return base + timedelta(hours=hours, minutes=minutes)

        return Presence(provider, moment(start), moment(end), record)

    @staticmethod
    def meals(
        days: Iterable[int], provider: str = "s", count: int = 1, *, monday: date = MONDAY
    ) -> tuple[MealEntry, ...]:
        return tuple(MealEntry(provider, monday + timedelta(days=d), count) for d in days)

    @staticmethod
    def week(
        providers: Iterable[Provider],
        presences: Iterable[Presence] = (),
        *,
        category: str = "lt_2",
        rank: int = 1,
        born: date = date(2022, 5, 10),
        schooling: str = "none",
        meals: Iterable[MealEntry] = (),
        holiday: bool = False,
        public: Iterable[int] = (),
        monday: date = MONDAY,
        **extra: Any,
    ) -> ChildWeek:
        days = [monday + timedelta(days=i) for i in range(7)]
        return ChildWeek(
            week_start=monday,
            category=Category(category),
            rank=rank,
            birth_date=born,
            schooling=Schooling(schooling),
            providers=tuple(providers),
            presences=tuple(presences),
            meals=tuple(meals),
            school_holidays=frozenset(days) if holiday else frozenset(),
            public_holidays=frozenset(days[i] for i in public),
            **extra,
        )

    @staticmethod
    def full_weekdays(provider: str = "s", start: str = "07:00", end: str = "19:00",
                      monday: date = MONDAY) -> list[Presence]:  # fmt: skip
        return [Build.at(d, start, end, provider, monday=monday) for d in range(5)]


@pytest.fixture
def build() -> type[Build]:
    return Build
