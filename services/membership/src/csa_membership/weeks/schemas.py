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
    provider_id: SafeText = Field(
        min_length=1, max_length=64, description="The provider offering the week"
    )
    commune: SafeText = Field(min_length=1, max_length=128, description="where it takes place")
    title: SafeText = Field(min_length=1, max_length=200, description="What the week is about")
    languages: list[LanguageCode] = Field(
        min_length=2,
        max_length=8,
        description="The languages it is held in (ISO 639-1 codes), at least two",
    )
    starts_on: SaneDate = Field(description="Its first day (ISO date), after today")
    ends_on: SaneDate = Field(description="Its last day (ISO date), at most 6 days after the first")
    min_age: int = Field(ge=1, le=4, description="completed years on the first day")
    max_age: int = Field(ge=1, le=4, description="completed years on the first day")
    capacity: int = Field(ge=1, le=MAX_CAPACITY, description="How many children it takes")


class WeekOut(BaseModel):
    week_id: str = Field(description="The week's id")
    provider_id: str = Field(description="The provider offering the week")
    commune: str = Field(description="Where it takes place")
    title: str = Field(description="What the week is about")
    languages: list[str] = Field(description="The languages it is held in (ISO 639-1 codes)")
    starts_on: date = Field(description="Its first day (ISO date)")
    ends_on: date = Field(description="Its last day (ISO date)")
    min_age: int = Field(description="Youngest age taken: completed years on the first day")
    max_age: int = Field(description="Oldest age taken: completed years on the first day")
    capacity: int = Field(description="How many children it takes")
    places_left: int = Field(description="Places not taken by a standing sign-up")


class SignUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"child_id": "c-1"}]})
    child_id: SafeText = Field(min_length=1, max_length=36, description="The child to sign up")


class SignUpOut(BaseModel):
    week_id: str = Field(description="The week signed up for")
    child_id: str = Field(description="The child signed up")
    status: Literal["signed_up", "cancelled"] = Field(
        description="signed_up (the place is taken) or cancelled (the place is free again)"
    )
    signed_up_at: datetime = Field(description="When the child was (last) signed up")
    cancelled_at: datetime | None = Field(description="When it was cancelled; null if standing")
    week: WeekOut = Field(description="The week, with its places left")
