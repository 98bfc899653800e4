"""API models of the weeks module (requests carry OpenAPI examples)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from csa_shared.http.bounds import SafeText, SaneDate

WEEK_EXAMPLE: dict[str, Any] = {
    "provider_id": "prov-esch-001",
    "commune": "Esch-sur-Alzette",
    "title": "Songs and stories in Lëtzebuergesch and French",
    "languages": ["lb", "fr"],
    "starts_on": "2027-02-15",
    "ends_on": "2027-02-19",
    "min_age": 1,
    "max_age": 4,
    "capacity": 12,
}
MAX_CAPACITY = 500
LanguageCode = Literal["lb", "de", "fr", "en", "pt", "it", "nl", "es"]


class WeekIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [WEEK_EXAMPLE]})
    provider_id: SafeText = Field(min_length=1, max_length=64)
    commune: SafeText = Field(min_length=1, max_length=128, description="where it takes place")
    title: SafeText = Field(min_length=1, max_length=200)
    languages: list[LanguageCode] = Field(min_length=2, max_length=8)
    starts_on: SaneDate
    ends_on: SaneDate
    min_age: int = Field(ge=1, le=4, description="completed years on the first day")
    max_age: int = Field(ge=1, le=4, description="completed years on the first day")
    capacity: int = Field(ge=1, le=MAX_CAPACITY)


class WeekOut(BaseModel):
    week_id: str
    provider_id: str
    commune: str
    title: str
    languages: list[str]
    starts_on: date
    ends_on: date
    min_age: int
    max_age: int
    capacity: int
    places_left: int


class SignUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"child_id": "c-1"}]})
    child_id: SafeText = Field(min_length=1, max_length=36)


class SignUpOut(BaseModel):
    week_id: str
    child_id: str
    status: Literal["signed_up", "cancelled"]
    signed_up_at: datetime
    cancelled_at: datetime | None
    week: WeekOut
