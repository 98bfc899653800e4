"""Domain events of the attendance service (csa-rules.md §10, DEVELOPING.md "Events").

Plain dataclasses; the adapter turns each into a CloudEvent of type
`lu.csa.attendance.<aggregate>.<verb>.v1` keyed by the aggregate id. Every event names the
record, its provider, its child (provider events have none), the record's version, the data
billing needs, and `affects_closed_period` (billing re-bills, §7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from csa_attendance.domain.quick import quick_init
from csa_shared.rules.parameters import ProviderType


@dataclass(frozen=True, slots=True, kw_only=True)
class _Event:
    record_id: str
    provider_id: str
    version: int
    affects_closed_period: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class _ChildEvent(_Event):
    child_id: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceRecorded(_ChildEvent):
    start: datetime
    end: datetime
    minutes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceCorrected(_ChildEvent):
    start: datetime
    end: datetime
    minutes: int
    previous_start: datetime
    previous_end: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceVoided(_ChildEvent):
    previous_start: datetime
    previous_end: datetime
    reason: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class MealRecorded(_ChildEvent):
    day: date
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MealCorrected(_ChildEvent):
    """An amended meal record, or a voided one (`voided`, `count` 0)."""

    day: date
    count: int
    previous_day: date
    previous_count: int
    voided: bool
    reason: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationRecorded(_ChildEvent):
    start: datetime
    end: datetime
    minutes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSheetDay:
    """One day of a sheet: `hours` inside the day band 07:00-19:00, `out_of_band_hours`
    outside it (night), csa-rules.md §10."""

    day: date
    hours: Decimal
    lunches: int
    out_of_band_hours: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSheetSubmitted(_ChildEvent):
    """A full AP service sheet (fiche de prestation); replaces any earlier version."""

    month: str
    days: tuple[ServiceSheetDay, ...]
    total_hours: Decimal
    total_lunches: int
    submitted_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _ProviderEvent(_Event):
    provider_type: ProviderType
    effective_from: date
    name: str
    commune: str
    hourly_price: Decimal
    meal_price: Decimal
    plurilingual: bool
    agency_id: str | None
    iban: str | None = None
    bic: str | None = None
    # the postal address {street, postcode, locality} the family's invoice prints (optional
    # in the event schema: events before it carried none)
    address: dict[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderRegistered(_ProviderEvent):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderChanged(_ProviderEvent):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class EducationContractStarted(_ChildEvent):
    start: date
    end: date | None
    hours_per_week: Decimal
    hourly_price: Decimal
    billing_mode: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EducationContractEnded(_ChildEvent):
    end: date


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherChargeRecorded(_ChildEvent):
    """A charge outside the CSA, billed to the parent in full (seed 004 §4.2)."""

    day: date
    kind: str
    amount: Decimal
    description: str
    state_supported: bool = False


AttendanceEvent = (
    PresenceRecorded
    | PresenceCorrected
    | PresenceVoided
    | MealRecorded
    | MealCorrected
    | ReservationRecorded
    | ServiceSheetSubmitted
    | ProviderRegistered
    | ProviderChanged
    | EducationContractStarted
    | EducationContractEnded
    | OtherChargeRecorded
)
