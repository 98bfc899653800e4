"""Shared builders for the attendance domain tests: a small world of providers and contracts.

World: `sea-a` (SEA conventionné, 6.00/h), `sea-b` (SEA commercial, 8.50/h),
`ap-1` (assistant parental managed by agency `dageselteren`).
Child `c1` is under contract at `sea-a` (presence mode) and `sea-b` (greater_of) from
2025-01-01; child `c2` only at `sea-b`; child `c3` at `sea-a` from 2025-03-01 to 2025-03-31;
child `c4` at `ap-1`. "Now" is 2025-03-20 18:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from csa_attendance.domain.contracts import BillingMode, EducationContract
from csa_attendance.domain.ledger import AttendanceState
from csa_attendance.domain.providers import Address, Provider, ProviderTerms
from csa_attendance.domain.records import MealDeclaration, PresenceDeclaration
from csa_shared.rules.parameters import ProviderType

NOW = datetime(2025, 3, 20, 18, 0)


def terms(**overrides: object) -> ProviderTerms:
    values: dict[str, object] = {
        "effective_from": date(2024, 9, 2),
        "name": "Crèche Schmetterling",
        "address": Address("1 rue de la Gare", "L-1234", "Luxembourg"),
        "commune": "Luxembourg",
        "hourly_price": Decimal("6.00"),
        "meal_price": Decimal("4.50"),
        "plurilingual": True,
    }
    values.update(overrides)
    return ProviderTerms(**values)  # type: ignore[arg-type]


def contract(cid: str, child: str, provider: str, **overrides: object) -> EducationContract:
    values: dict[str, object] = {
        "contract_id": cid,
        "child_id": child,
        "provider_id": provider,
        "start": date(2025, 1, 1),
        "end": None,
        "hours_per_week": Decimal("40"),
        "hourly_price": Decimal("6.00"),
        "billing_mode": BillingMode.PRESENCE,
    }
    values.update(overrides)
    return EducationContract(**values)  # type: ignore[arg-type]


PROVIDERS = {
    "sea-a": Provider("sea-a", ProviderType.SEA_CONVENTIONNE, (terms(),)),
    "sea-b": Provider(
        "sea-b",
        ProviderType.SEA_COMMERCIAL,
        (terms(name="Kids Club", hourly_price=Decimal("8.50"), plurilingual=False),),
    ),
    "ap-1": Provider(
        "ap-1",
        ProviderType.ASSISTANT_PARENTAL,
        (
            terms(
                name="Anne Muller",
                hourly_price=Decimal("6.00"),
                plurilingual=False,
                agency_id="dageselteren",
            ),
        ),
    ),
}

CONTRACTS = (
    contract("k1", "c1", "sea-a"),
    contract("k2", "c1", "sea-b", billing_mode=BillingMode.GREATER_OF),
    contract("k3", "c2", "sea-b", hourly_price=Decimal("8.50")),
    contract("k4", "c3", "sea-a", start=date(2025, 3, 1), end=date(2025, 3, 31)),
    contract("k5", "c4", "ap-1"),
)


@pytest.fixture
def state() -> AttendanceState:
    return AttendanceState(providers=PROVIDERS, contracts=CONTRACTS)


@pytest.fixture
def now() -> datetime:
    return NOW


def _at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}")


@pytest.fixture
def presence() -> Callable[..., PresenceDeclaration]:
    """presence("r1", "2025-03-18", "08:00", "12:00", child="c1", provider="sea-a")."""

    def build(
        record_id: str,
        day: str,
        start: str,
        end: str,
        *,
        child: str = "c1",
        provider: str = "sea-a",
        end_day: str | None = None,
    ) -> PresenceDeclaration:
        return PresenceDeclaration(
            provider_id=provider,
            record_id=record_id,
            child_id=child,
            start=_at(day, start),
            end=_at(end_day or day, end),
        )

    return build


@pytest.fixture
def meal() -> Callable[..., MealDeclaration]:
    """meal("m1", "2025-03-18", count=1, child="c1", provider="sea-a")."""

    def build(
        record_id: str, day: str, *, count: int = 1, child: str = "c1", provider: str = "sea-a"
    ) -> MealDeclaration:
        return MealDeclaration(
            provider_id=provider,
            record_id=record_id,
            child_id=child,
            day=date.fromisoformat(day),
            count=count,
        )

    return build
