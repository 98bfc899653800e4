"""Corrections of declared presences and meals: amend or void, with history (§10, §7).

A correction appends a version to the record's history (nothing is overwritten), needs a
reason, and is validated like a new declaration against the child's other records (the
record itself excluded). It is flagged `affects_closed_period` when the old or the new
content lies in a closed billing period, so billing re-bills (§7). A presence cannot be
voided or moved away from a day on which it is the only presence backing active meals at
that provider: void or move the meals first.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime

from csa_attendance.domain.closing import touches_closed_period
from csa_attendance.domain.errors import AttendanceDomainError, Code, Violation
from csa_attendance.domain.events import MealCorrected, PresenceCorrected, PresenceVoided
from csa_attendance.domain.ledger import AttendanceState, Ledger
from csa_attendance.domain.records import (
    D,
    MealDeclaration,
    PresenceDeclaration,
    RecordHistory,
    RecordStatus,
    RecordVersion,
)
from csa_attendance.domain.validation import present_on, validate_meal, validate_presence


def _preconditions(history: RecordHistory[D], reason: str) -> list[Violation]:
    found = [] if reason.strip() else [Violation(Code.REASON_REQUIRED, "reason", "reason required")]
    if not history.active:
        found.append(Violation(Code.ALREADY_VOIDED, "record_id", "the record is voided"))
    return found


def _append(
    history: RecordHistory[D], content: D, status: RecordStatus, reason: str, now: datetime
) -> RecordHistory[D]:
    version = RecordVersion(
        version=history.current.version + 1,
        content=content,
        status=status,
        recorded_at=now,
        reason=reason,
    )
    return history.appended(version)


def _orphaned_meal_days(
    old: PresenceDeclaration, new: PresenceDeclaration | None, ledger: Ledger
) -> list[Violation]:
    """Days that would lose their only presence backing active meals at that provider."""
    kept = [p for p in ledger.child_presences(old.child_id) if p.key != old.key]
    if new is not None:
        kept.append(new)
    lost: list[date] = [
        day
        for day in old.interval.days()
        if ledger.child_meals(old.child_id, old.provider_id, day)
        and not present_on(kept, old.provider_id, day)
    ]
    return [
        Violation(
            Code.NO_PRESENCE_THAT_DAY,
            "record_id",
            f"meals on {day.isoformat()} rest on this presence; correct them first",
        )
        for day in lost
    ]


def amend_presence(
    history: RecordHistory[PresenceDeclaration],
    *,
    start: datetime,
    end: datetime,
    reason: str,
    state: AttendanceState,
    now: datetime,
    closed_months: Collection[str] = (),
) -> tuple[RecordHistory[PresenceDeclaration], PresenceCorrected]:
    """New times for a presence; raises `AttendanceDomainError` with the reasons if refused."""
    old = history.current.content
    new = replace(old, start=start, end=end)
    found = _preconditions(history, reason)
    if not found and new == old:
        found.append(Violation(Code.NOTHING_CHANGED, "start", "the times are unchanged"))
    if not found:
        ledger = Ledger(state)
        found = validate_presence(new, ledger=ledger, now=now)
        found += [] if found else _orphaned_meal_days(old, new, ledger)
    if found:
        raise AttendanceDomainError(found)
    amended = _append(history, new, RecordStatus.ACTIVE, reason, now)
    days = {*old.interval.days(), *new.interval.days()}
    return amended, PresenceCorrected(
        record_id=old.record_id,
        provider_id=old.provider_id,
        child_id=old.child_id,
        version=amended.current.version,
        affects_closed_period=touches_closed_period(days, closed_months),
        start=new.start,
        end=new.end,
        minutes=new.interval.minutes,
        previous_start=old.start,
        previous_end=old.end,
        reason=reason,
    )


def void_presence(
    history: RecordHistory[PresenceDeclaration],
    *,
    reason: str,
    state: AttendanceState,
    now: datetime,
    closed_months: Collection[str] = (),
) -> tuple[RecordHistory[PresenceDeclaration], PresenceVoided]:
    """Cancel a presence (the child was not there); raises with the reasons if refused."""
    old = history.current.content
    found = _preconditions(history, reason)
    if not found:
        found = _orphaned_meal_days(old, None, Ledger(state))
    if found:
        raise AttendanceDomainError(found)
    voided = _append(history, old, RecordStatus.VOIDED, reason, now)
    return voided, PresenceVoided(
        record_id=old.record_id,
        provider_id=old.provider_id,
        child_id=old.child_id,
        version=voided.current.version,
        affects_closed_period=touches_closed_period(old.interval.days(), closed_months),
        previous_start=old.start,
        previous_end=old.end,
        reason=reason,
    )


def _meal_event(
    old: MealDeclaration,
    new: MealDeclaration,
    corrected: RecordHistory[MealDeclaration],
    reason: str,
    closed_months: Collection[str],
) -> MealCorrected:
    voided = corrected.current.status is RecordStatus.VOIDED
    return MealCorrected(
        record_id=old.record_id,
        provider_id=old.provider_id,
        child_id=old.child_id,
        version=corrected.current.version,
        affects_closed_period=touches_closed_period({old.day, new.day}, closed_months),
        day=new.day,
        count=0 if voided else new.count,
        previous_day=old.day,
        previous_count=old.count,
        voided=voided,
        reason=reason,
    )


def amend_meal(
    history: RecordHistory[MealDeclaration],
    *,
    day: date,
    count: int,
    reason: str,
    state: AttendanceState,
    now: datetime,
    closed_months: Collection[str] = (),
) -> tuple[RecordHistory[MealDeclaration], MealCorrected]:
    """New day and/or count for a meal record; raises with the reasons if refused."""
    old = history.current.content
    new = replace(old, day=day, count=count)
    found = _preconditions(history, reason)
    if not found and new == old:
        found.append(Violation(Code.NOTHING_CHANGED, "count", "the meal is unchanged"))
    if not found:
        found = validate_meal(new, ledger=Ledger(state), now=now)
    if found:
        raise AttendanceDomainError(found)
    amended = _append(history, new, RecordStatus.ACTIVE, reason, now)
    return amended, _meal_event(old, new, amended, reason, closed_months)


def void_meal(
    history: RecordHistory[MealDeclaration],
    *,
    reason: str,
    now: datetime,
    closed_months: Collection[str] = (),
) -> tuple[RecordHistory[MealDeclaration], MealCorrected]:
    """Cancel a meal record; emits `MealCorrected` with `voided` and count 0."""
    found = _preconditions(history, reason)
    if found:
        raise AttendanceDomainError(found)
    old = history.current.content
    voided = _append(history, old, RecordStatus.VOIDED, reason, now)
    return voided, _meal_event(old, old, voided, reason, closed_months)
