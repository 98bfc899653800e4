"""API models of the meals module (a meal's declaration, `MealIn`, is a batch item:
`presences.schemas`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from csa_attendance.domain.records import MealDeclaration, RecordVersion
from csa_shared.http.bounds import SafeText, SaneDate
from csa_shared.http.pagination import Page


class MealAmendIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"day": "2025-03-03", "count": 2, "reason": "dinner"}]},
    )

    day: SaneDate
    count: int
    reason: SafeText = Field(min_length=1, max_length=500)


class MealOut(BaseModel):
    id: str
    provider_id: str
    record_id: str
    child_id: str
    day: date
    count: int
    version: int
    status: str


class MealPage(Page[MealOut]):
    """A page of meals, by day then id."""


def meal_out(row: Any) -> MealOut:
    """A stored meal (a `meals` row) as the API shows it."""
    return MealOut(
        id=row.id,
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=row.day,
        count=row.count,
        version=row.version,
        status=row.status,
    )


def corrected_meal_out(row: Any, current: RecordVersion[MealDeclaration]) -> MealOut:
    """A meal (`row` as it was read) with its new `current` version, not read back."""
    return MealOut(
        id=row.id,
        provider_id=row.provider_id,
        record_id=row.provider_record_id,
        child_id=row.child_id,
        day=current.content.day,
        count=current.content.count,
        version=current.version,
        status=current.status.value,
    )
