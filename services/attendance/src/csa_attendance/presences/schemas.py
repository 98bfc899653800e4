"""API models of the presences module."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PresenceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "provider_id": "sea-001",
                    "record_id": "2025-03-03-child-42",
                    "child_id": "child-42",
                    "start": "2025-03-03T08:00:00",
                    "end": "2025-03-03T17:00:00",
                }
            ]
        },
    )

    provider_id: str = Field(min_length=1, max_length=64)
    record_id: str = Field(
        min_length=1, max_length=128, description="The provider's own id: the idempotency key"
    )
    child_id: str = Field(min_length=1, max_length=64)
    start: datetime = Field(description="Local Luxembourg time, no offset")
    end: datetime

    @model_validator(mode="after")
    def _end_after_start(self) -> PresenceIn:
        if self.start.tzinfo or self.end.tzinfo:
            raise ValueError("times are local Luxembourg time without offset")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class PresenceOut(BaseModel):
    id: str
    provider_id: str
    record_id: str
    child_id: str
    start: datetime
    end: datetime
    version: int
