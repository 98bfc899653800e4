"""Declared records and their versions; the idempotent ingest decision (csa-rules.md §10).

Providers declare presences (start/end), main meals (day, count) and reservations
(pre-registered slots, "plages d'inscription", seed 004 §4.1), each under the provider's own
record id. The idempotency key is (kind, provider id, record id). A record is never edited
in place: corrections append a version (see `corrections`), so its history is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from csa_attendance.domain.errors import RecordRef
from csa_attendance.domain.intervals import Interval
from csa_attendance.domain.quick import quick_init


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceDeclaration:
    """A child present at a provider from `start` to `end` (local time, to the minute)."""

    provider_id: str
    record_id: str
    child_id: str
    start: datetime
    end: datetime

    @property
    def key(self) -> RecordRef:
        return RecordRef(self.provider_id, self.record_id)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationDeclaration:
    """A pre-registered slot of a child at a provider (may lie in the future)."""

    provider_id: str
    record_id: str
    child_id: str
    start: datetime
    end: datetime

    @property
    def key(self) -> RecordRef:
        return RecordRef(self.provider_id, self.record_id)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class MealDeclaration:
    """`count` main meals of a child at a provider on `day` (§6)."""

    provider_id: str
    record_id: str
    child_id: str
    day: date
    count: int

    @property
    def key(self) -> RecordRef:
        return RecordRef(self.provider_id, self.record_id)


Declaration = PresenceDeclaration | MealDeclaration | ReservationDeclaration
D = TypeVar("D", bound=Declaration)


class RecordStatus(StrEnum):
    ACTIVE = "active"
    VOIDED = "voided"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class RecordVersion(Generic[D]):
    """One version of a record: the content in force, whether voided, why, and when."""

    version: int
    content: D
    status: RecordStatus
    recorded_at: datetime
    reason: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class RecordHistory(Generic[D]):
    """All versions of one record, oldest first; the last one is in force."""

    versions: tuple[RecordVersion[D], ...]

    @property
    def current(self) -> RecordVersion[D]:
        return self.versions[-1]

    @property
    def key(self) -> RecordRef:
        return self.versions[0].content.key

    @property
    def active(self) -> bool:
        return self.current.status is RecordStatus.ACTIVE

    def appended(self, version: RecordVersion[D]) -> RecordHistory[D]:
        return RecordHistory((*self.versions, version))


def first_version(content: D, *, now: datetime) -> RecordHistory[D]:
    """The history of a newly accepted record: version 1, active."""
    return RecordHistory(
        (RecordVersion(version=1, content=content, status=RecordStatus.ACTIVE, recorded_at=now),)
    )


class Ingest(StrEnum):
    """What to do with a declaration given what is stored under its key."""

    NEW = "new"  # nothing stored: validate, then accept or reject
    DUPLICATE = "duplicate"  # identical repeat: answer with the stored record, emit nothing
    CONFLICT = "conflict"  # same key, different content: refuse


@dataclass(frozen=True, slots=True)
class IngestDecision(Generic[D]):
    outcome: Ingest
    stored: RecordHistory[D] | None = None


def ingest_decision(existing: RecordHistory[D] | None, incoming: D) -> IngestDecision[D]:
    """Decide on a declaration by its idempotency key (provider, record id).

    A repeat is a duplicate when it equals the original posting (a retry, even after the
    record was corrected or voided) or the content now in force; anything else under the
    same key is a conflict: a correction must go through `corrections`, not a re-post.
    """
    if existing is None:
        return _NEW
    if incoming in (existing.versions[0].content, existing.current.content):
        return IngestDecision(Ingest.DUPLICATE, existing)
    return IngestDecision(Ingest.CONFLICT, existing)


_NEW: IngestDecision[Any] = IngestDecision(Ingest.NEW)  # immutable: one for every new record
