"""API models of the ingest module (provider id comes from the token, not the body)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from csa_shared.http.bounds import SafeText, SaneDate, SaneDateTime
from csa_shared.http.pagination import Page

PRESENCE_EXAMPLE = {
    "kind": "presence",
    "record_id": "2025-03-03-child-42",
    "child_id": "child-42",
    "start": "2025-03-03T08:00:00",
    "end": "2025-03-03T17:00:00",
}
MEAL_EXAMPLE = {
    "kind": "meal",
    "record_id": "m-2025-03-03-42",
    "child_id": "child-42",
    "day": "2025-03-03",
    "count": 1,
}
RESERVATION_EXAMPLE = {**PRESENCE_EXAMPLE, "kind": "reservation", "record_id": "res-42-0303"}

_ID = Field(min_length=1, max_length=128, description="The provider's own id: the idempotency key")


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PRESENCE_EXAMPLE]})

    kind: Literal["presence"] = Field(
        default="presence", description='Always "presence" (tells the items of a batch apart)'
    )
    provider_id: SafeText | None = Field(
        default=None, max_length=64, description="Optional; must be the token's provider when given"
    )
    record_id: SafeText = _ID
    child_id: SafeText = Field(
        min_length=1, max_length=64, description="The child's pseudonymous id"
    )
    start: SaneDateTime = Field(description="Local Luxembourg time, no offset, whole minutes")
    end: SaneDateTime = Field(
        description="Local Luxembourg time, no offset, whole minutes; after start, the same day"
    )


class ReservationIn(PresenceIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RESERVATION_EXAMPLE]})

    kind: Literal["reservation"] = Field(
        default="reservation", description='Always "reservation" (tells the items of a batch apart)'
    )  # type: ignore[assignment]


class MealIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [MEAL_EXAMPLE]})

    kind: Literal["meal"] = Field(
        default="meal", description='Always "meal" (tells the items of a batch apart)'
    )
    provider_id: SafeText | None = Field(
        default=None, max_length=64, description="Optional; must be the token's provider when given"
    )
    record_id: SafeText = _ID
    child_id: SafeText = Field(
        min_length=1, max_length=64, description="The child's pseudonymous id"
    )
    day: SaneDate = Field(description="The day of the meals")
    count: int = Field(description="Main meals that day, 1 to 3")


Item = Annotated[PresenceIn | MealIn | ReservationIn, Field(discriminator="kind")]
ITEM = TypeAdapter(Item)


class BatchIn(BaseModel):
    """Documentation of the batch body; items are validated one by one (per-item results)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [PRESENCE_EXAMPLE, MEAL_EXAMPLE]}]}
    )

    items: list[Item] = Field(description="At most 1000 items")


class ItemProblem(BaseModel):
    """Why one item of a batch was rejected (not named ``Problem``: that is the RFC 9457
    body every service documents, and two schemas of one name make one of them wrong)."""

    code: str = Field(description="Machine-readable reason, e.g. overlap or no-contract")
    field: str = Field(description="The item's field at fault (dotted path), or the item itself")
    message: str = Field(description="Human-readable explanation")


Problem = ItemProblem


class ItemResultOut(BaseModel):
    index: int = Field(description="Position of the item in the batch, from 0")
    record_id: str | None = Field(description="The item's record_id; null when unreadable")
    kind: str | None = Field(description="The item's kind; null when unreadable")
    outcome: Literal["accepted", "duplicate", "rejected"] = Field(
        description="accepted (stored), duplicate (already stored, unchanged) or rejected"
    )
    id: str | None = Field(
        default=None,
        description="The stored record's id (accepted or duplicate); null when rejected",
    )
    errors: list[ItemProblem] = Field(
        default=[], description="Why the item was rejected; empty otherwise"
    )


class BatchOut(BaseModel):
    accepted: int = Field(description="Items stored by this batch")
    duplicate: int = Field(
        description="Items already stored with the same content (nothing changed)"
    )
    rejected: int = Field(
        description="Items refused (see their errors); the others are stored nevertheless"
    )
    results: list[ItemResultOut] = Field(description="One result per item, in the batch's order")


class TimedRecordOut(BaseModel):
    """The fields of a stored presence or reservation."""

    id: str = Field(
        description="The platform's id of the record (path parameter of its reads and corrections)"
    )
    provider_id: str = Field(description="The provider that declared the record")
    record_id: str = Field(description="The provider's own id of the record (its idempotency key)")
    child_id: str = Field(description="The child's pseudonymous id")
    start: datetime = Field(description="Start, local Luxembourg time without offset")
    end: datetime = Field(description="End, local Luxembourg time without offset")
    version: int = Field(description="1 when declared, one more per correction (amend or void)")
    status: str = Field(description='"active", or "voided" once voided')


class PresenceOut(TimedRecordOut):
    """A stored presence."""


class VersionOut(BaseModel):
    version: int = Field(description="The version's number, from 1")
    start: datetime = Field(description="Start in this version, local Luxembourg time")
    end: datetime = Field(description="End in this version, local Luxembourg time")
    status: str = Field(description='"active", or "voided" for a void')
    reason: str | None = Field(description="Why the record was corrected; null for the declaration")
    recorded_at: datetime = Field(description="When this version was recorded (UTC)")


class PresenceHistoryOut(PresenceOut):
    versions: list[VersionOut] = Field(description="Every version, oldest first")


class PresencePage(Page[PresenceOut]):
    """A page of presences, by start then id."""


class ReservationOut(TimedRecordOut):
    """A stored reservation (the same fields as a presence)."""


class ReservationPage(Page[ReservationOut]):
    """A page of reservations, by start then id."""


class AmendIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "start": "2025-03-03T08:30:00",
                    "end": "2025-03-03T16:00:00",
                    "reason": "left early, parent called",
                }
            ]
        },
    )

    start: SaneDateTime = Field(
        description="The corrected start, local Luxembourg time without offset"
    )
    end: SaneDateTime = Field(description="The corrected end, local Luxembourg time without offset")
    reason: SafeText = Field(
        min_length=1, max_length=500, description="Why it is corrected (kept in the history)"
    )


class VoidIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "declared by mistake"}]}
    )

    reason: SafeText = Field(
        min_length=1, max_length=500, description="Why it is voided (kept in the history)"
    )


def _timed_record(row: Any) -> dict[str, Any]:
    """The fields of a stored presence or reservation (a `presences` or `reservations` row)."""
    return {
        "id": row.id,
        "provider_id": row.provider_id,
        "record_id": row.provider_record_id,
        "child_id": row.child_id,
        "start": row.start,
        "end": row.end,
        "version": row.version,
        "status": row.status,
    }


def presence_json(row: Any) -> dict[str, Any]:
    """A stored presence as `PresenceOut` serialises it (its fields are plain: orjson
    writes them as pydantic does, no model needed)."""
    return _timed_record(row)


def presence_out(row: Any) -> PresenceOut:
    """A stored presence as the API shows it."""
    return PresenceOut(**_timed_record(row))


def reservation_out(row: Any) -> ReservationOut:
    """A stored reservation as the API shows it."""
    return ReservationOut(**_timed_record(row))


def parse_item(raw: Any) -> Item:
    return ITEM.validate_python(raw)


class _ValidBatch(BaseModel):
    """A batch body whose items are all valid (other keys are ignored, as by the endpoint)."""

    items: list[Item]


_VALID_BATCH = TypeAdapter(_ValidBatch)


def valid_batch(body: bytes) -> list[Item] | None:
    """The items of a batch body when it is JSON, an object, and every item is valid —
    validated at once from the bytes; None otherwise (then the items are looked at one by
    one for per-item results, with the same outcome for the valid ones)."""
    try:
        return _VALID_BATCH.validate_json(body).items
    except ValueError:  # pydantic's ValidationError, and malformed JSON
        return None
