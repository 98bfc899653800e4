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

    day: SaneDate = Field(description="The corrected day")
    count: int = Field(description="The corrected number of main meals, 1 to 3")
    reason: SafeText = Field(
        min_length=1, max_length=500, description="Why it is corrected (kept in the history)"
    )


class MealOut(BaseModel):
    id: str = Field(
        description="The platform's id of the record (path parameter of its reads and corrections)"
    )
    provider_id: str = Field(description="The provider that declared the record")
    record_id: str = Field(description="The provider's own id of the record (its idempotency key)")
    child_id: str = Field(description="The child's pseudonymous id")
    day: date = Field(description="The day of the meals")
    count: int = Field(description="Main meals that day")
    version: int = Field(description="1 when declared, one more per correction (amend or void)")
    status: str = Field(description='"active", or "voided" once voided')


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


def corrected_meal_json(row: Any, current: RecordVersion[MealDeclaration]) -> dict[str, Any]:
    """A meal (`row` as it was read) with its new `current` version, not read back, as
    `MealOut` serialises it (its fields are plain: no pydantic model needed)."""
    return {
        "id": row.id,
        "provider_id": row.provider_id,
        "record_id": row.provider_record_id,
        "child_id": row.child_id,
        "day": current.content.day,
        "count": current.content.count,
        "version": current.version,
        "status": current.status.value,
    }
