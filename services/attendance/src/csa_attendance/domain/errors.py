"""Validation outcomes of the attendance domain: machine codes, fields, messages (§10).

A declaration that breaks a rule is not an exception: validators return a list of
`Violation`s so a batch can report every item's reasons. Exceptions are kept for
programming errors and for requests that are refused as a whole (`BatchTooLarge`), each typed
with its answer (`csa_shared.errors`): 404 unknown record, 413 oversize batch, 409 a
conflicting repeat, else 422, with the violations as `errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from csa_shared.errors import DomainError


class Code(StrEnum):
    """Machine-readable reason codes; stable, part of the API contract."""

    UNKNOWN_PROVIDER = "unknown_provider"
    # Same code for an unknown child and for another provider's child: no information leak.
    UNKNOWN_CHILD = "unknown_child"
    NO_CONTRACT_ON_DATE = "no_contract_on_date"
    END_NOT_AFTER_START = "end_not_after_start"
    NOT_WHOLE_MINUTE = "not_whole_minute"
    TIMEZONE_NOT_ALLOWED = "timezone_not_allowed"
    IN_FUTURE = "in_future"
    TOO_LONG = "too_long"
    OVERLAP = "overlap"
    NO_PRESENCE_THAT_DAY = "no_presence_that_day"
    MEAL_COUNT_OUT_OF_RANGE = "meal_count_out_of_range"
    TOO_MANY_MEALS_THAT_DAY = "too_many_meals_that_day"
    CONFLICTING_REPEAT = "conflicting_repeat"
    UNKNOWN_RECORD = "unknown_record"
    ALREADY_VOIDED = "already_voided"
    REASON_REQUIRED = "reason_required"
    NOTHING_CHANGED = "nothing_changed"
    INVALID_VALUE = "invalid_value"
    PRICE_ABOVE_CAP = "price_above_cap"
    WRONG_PROVIDER_TYPE = "wrong_provider_type"
    NOT_AUTHORISED = "not_authorised"
    DAY_OUTSIDE_PERIOD = "day_outside_period"
    DUPLICATE_DAY = "duplicate_day"
    HOURS_OUT_OF_RANGE = "hours_out_of_range"


class RecordRef(NamedTuple):
    """A declared record, identified by its provider and the provider's own record id.

    A named tuple, not a dataclass: it is the key of the ledger's dicts, hashed several
    times per batch item, and a tuple hashes and compares in C.
    """

    provider_id: str
    record_id: str


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a code, the offending input field and a readable message.

    `conflicting` names the existing record a rule collided with (an overlapping presence).
    When it belongs to another provider, `message` does not name it; an adapter answering
    the posting provider should show `message` and keep `conflicting` for agents and audit.
    """

    code: Code
    field: str
    message: str
    conflicting: RecordRef | None = None


def violation_json(v: Violation) -> dict[str, Any]:
    """A violation as the API shows it to the caller (never the other provider's record)."""
    return {"code": v.code.value, "field": v.field, "message": v.message}


class AttendanceDomainError(DomainError, ValueError):
    """A request refused as a whole, carrying its violations (409 for a conflicting repeat,
    else 422)."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.message}" for v in violations))
        self.violations = violations
        if any(v.code is Code.CONFLICTING_REPEAT for v in violations):
            self.status, self.title, self.code = 409, "Conflict", "idempotency-conflict"

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": [violation_json(v) for v in self.violations]}


class BatchTooLarge(AttendanceDomainError):
    """A batch above the item limit is refused before any item is looked at."""

    status, title, code = 413, "Payload too large", "batch-too-large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            [
                Violation(
                    Code.INVALID_VALUE, "items", f"a batch holds at most {limit} items, got {size}"
                )
            ]
        )
        self.size = size
        self.limit = limit

    def problem_fields(self) -> dict[str, Any]:
        return {"limit": self.limit, "size": self.size, **super().problem_fields()}


class UnknownRecord(AttendanceDomainError):
    """A record that does not exist, or that the asker may not see or correct: both are
    refused alike, so an answer never tells another provider's record from none."""

    status, title, code = 404, "Not found", "not-found"

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__([Violation(Code.UNKNOWN_RECORD, "id", f"no {kind} {record_id}")])
        self.kind = kind
        self.record_id = record_id

    def problem_detail(self, accept_language: str) -> str:
        return f"no {self.kind} {self.record_id}"

    def problem_fields(self) -> dict[str, Any]:
        return {}
