"""Batch declarations: per-item results, never all-or-nothing (csa-rules.md §10).

A provider posts up to `BATCH_LIMIT` presences, meals and reservations at once. Each item is
decided against the stored state **plus the items accepted before it in the same batch**: two
overlapping presences in one batch → the first is accepted, the second rejected; the same key
twice → the second is a duplicate (identical) or rejected as a conflicting repeat.
A batch above the limit is refused as a whole (`BatchTooLarge`) before any item is read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from csa_attendance.domain.closing import touches_closed_period
from csa_attendance.domain.errors import BatchTooLarge, Code, RecordRef, Violation
from csa_attendance.domain.events import MealRecorded, PresenceRecorded, ReservationRecorded
from csa_attendance.domain.ledger import AttendanceState, Ledger
from csa_attendance.domain.quick import quick_init
from csa_attendance.domain.records import (
    Declaration,
    Ingest,
    IngestDecision,
    MealDeclaration,
    PresenceDeclaration,
    RecordHistory,
    first_version,
    ingest_decision,
)
from csa_attendance.domain.validation import (
    validate_meal,
    validate_presence,
    validate_reservation,
)

BATCH_LIMIT = 1000

RecordedEvent = PresenceRecorded | MealRecorded | ReservationRecorded


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@quick_init
@dataclass(frozen=True, slots=True)
class ItemResult:
    """The decision on one batch item; `record` is the new or stored history, if any.

    A duplicate answers with the stored record and carries no event.
    """

    index: int
    key: RecordRef
    outcome: Outcome
    violations: tuple[Violation, ...] = ()
    record: RecordHistory[Any] | None = None
    event: RecordedEvent | None = None


def recorded_event(item: Declaration, closed_months: Collection[str]) -> RecordedEvent:
    """The event of a newly accepted declaration (version 1)."""
    if isinstance(item, MealDeclaration):
        return MealRecorded(
            record_id=item.record_id,
            provider_id=item.provider_id,
            child_id=item.child_id,
            version=1,
            affects_closed_period=bool(closed_months)
            and touches_closed_period([item.day], closed_months),
            day=item.day,
            count=item.count,
        )
    kind = PresenceRecorded if isinstance(item, PresenceDeclaration) else ReservationRecorded
    span = item.interval
    return kind(
        record_id=item.record_id,
        provider_id=item.provider_id,
        child_id=item.child_id,
        version=1,
        affects_closed_period=bool(closed_months)
        and touches_closed_period(span.days(), closed_months),
        start=item.start,
        end=item.end,
        minutes=span.minutes,
    )


def process_batch(
    items: Sequence[Declaration],
    state: AttendanceState,
    *,
    now: datetime,
    closed_months: Collection[str] = (),
) -> list[ItemResult]:
    """Decide every item in order; raises `BatchTooLarge` above `BATCH_LIMIT` items."""
    if len(items) > BATCH_LIMIT:
        raise BatchTooLarge(len(items), BATCH_LIMIT)
    ledger = Ledger(state)
    return [
        process_item(index, item, ledger, now=now, closed_months=closed_months)
        for index, item in enumerate(items)
    ]


def process_item(
    index: int,
    item: Declaration,
    ledger: Ledger,
    *,
    now: datetime,
    closed_months: Collection[str] = (),
) -> ItemResult:
    """Decide one declaration against `ledger`, adding it to the ledger when accepted:
    a repeat of its key is answered from the stored record; otherwise it is validated,
    then accepted as version 1 or rejected with every reason."""
    key = item.key  # built once per item (a new `RecordRef` each time it is asked for)
    decision = ingest_decision(ledger.stored(item, key), item)
    if decision.outcome is not Ingest.NEW:
        return _repeat(index, item, key, decision)
    violations = _violations(item, ledger, now)
    if violations:
        return ItemResult(index, key, Outcome.REJECTED, tuple(violations))
    history = first_version(item, now=now)
    ledger.put(history, key)
    return ItemResult(
        index, key, Outcome.ACCEPTED, record=history, event=recorded_event(item, closed_months)
    )


def _repeat(
    index: int, item: Declaration, key: RecordRef, decision: IngestDecision[Any]
) -> ItemResult:
    """A repeat of a stored key: a duplicate, answered with the stored record, or a
    conflicting repeat, rejected."""
    if decision.outcome is Ingest.DUPLICATE:
        return ItemResult(index, key, Outcome.DUPLICATE, record=decision.stored)
    conflict = Violation(
        Code.CONFLICTING_REPEAT,
        "record_id",
        f"record {item.record_id} was already declared with other content",
        conflicting=key,
    )
    return ItemResult(index, key, Outcome.REJECTED, (conflict,), decision.stored)


def _violations(item: Declaration, ledger: Ledger, now: datetime) -> list[Violation]:
    """The rules of the item's kind (`validation`)."""
    if isinstance(item, PresenceDeclaration):
        return validate_presence(item, ledger=ledger, now=now)
    if isinstance(item, MealDeclaration):
        return validate_meal(item, ledger=ledger, now=now)
    return validate_reservation(item, ledger=ledger)
