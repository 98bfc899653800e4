"""The state a declaration is validated against, and a working copy that grows as a batch
is processed (csa-rules.md §10).

`AttendanceState` is what the adapter loads: the providers and education contracts concerned,
and the stored histories of the children's presences, meals and reservations (for overlap
checks: every provider's presences of those children around the dates concerned).
`Ledger` indexes it and accepts new or corrected histories, so later items of a batch see
earlier ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from csa_attendance.domain.contracts import EducationContract
from csa_attendance.domain.errors import RecordRef
from csa_attendance.domain.providers import Provider
from csa_attendance.domain.records import (
    Declaration,
    MealDeclaration,
    PresenceDeclaration,
    RecordHistory,
    RecordStatus,
    ReservationDeclaration,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendanceState:
    providers: Mapping[str, Provider] = field(default_factory=dict)
    contracts: Sequence[EducationContract] = ()
    presences: Sequence[RecordHistory[PresenceDeclaration]] = ()
    meals: Sequence[RecordHistory[MealDeclaration]] = ()
    reservations: Sequence[RecordHistory[ReservationDeclaration]] = ()


class Ledger:
    """Indexed, growing view of an `AttendanceState` (pure: memory only)."""

    def __init__(self, state: AttendanceState) -> None:
        self.providers = state.providers
        self.contracts = state.contracts
        self._contracts: dict[tuple[str, str], list[EducationContract]] = {}
        for c in state.contracts:
            self._contracts.setdefault((c.child_id, c.provider_id), []).append(c)
        self.presences: dict[RecordRef, RecordHistory[PresenceDeclaration]] = {}
        self.meals: dict[RecordRef, RecordHistory[MealDeclaration]] = {}
        self.reservations: dict[RecordRef, RecordHistory[ReservationDeclaration]] = {}
        self._presences_by_child: dict[str, dict[RecordRef, PresenceDeclaration]] = {}
        self._meals_by_child: dict[str, dict[RecordRef, MealDeclaration]] = {}
        self._reservations_by_child: dict[str, dict[RecordRef, ReservationDeclaration]] = {}
        # Per kind of declaration: its histories by key, and its active records by child.
        self._kinds: dict[type, tuple[dict[RecordRef, Any], dict[str, dict[RecordRef, Any]]]] = {
            PresenceDeclaration: (self.presences, self._presences_by_child),
            MealDeclaration: (self.meals, self._meals_by_child),
            ReservationDeclaration: (self.reservations, self._reservations_by_child),
        }
        for histories in (state.presences, state.meals, state.reservations):
            for history in histories:
                self.put(history)

    def stored(self, item: Declaration, key: RecordRef) -> RecordHistory[Any] | None:
        """The history under `item`'s key (its `key`) among the records of its kind."""
        histories, _ = self._kinds[type(item)]
        found: RecordHistory[Any] | None = histories.get(key)
        return found

    def put(self, history: RecordHistory[Any], key: RecordRef | None = None) -> None:
        """Add or replace a history (new, or corrected); `key` is its key if already built."""
        current = history.current
        content = current.content  # corrections never change the child
        key = history.key if key is None else key
        histories, by_child = self._kinds[type(content)]
        histories[key] = history
        records = by_child.setdefault(content.child_id, {})
        records.pop(key, None)  # a corrected record moves to the end, as a new one
        if current.status is RecordStatus.ACTIVE:  # `history.active`
            records[key] = content

    def contracts_of(self, child_id: str, provider_id: str) -> list[EducationContract]:
        """The child's education contracts with one provider (any dates)."""
        return self._contracts.get((child_id, provider_id), [])

    def child_presences(self, child_id: str) -> list[PresenceDeclaration]:
        """Active presences of a child at every provider."""
        return list(self._presences_by_child.get(child_id, {}).values())

    def child_reservations(self, child_id: str, provider_id: str) -> list[ReservationDeclaration]:
        """Active reservations of a child at one provider."""
        found = self._reservations_by_child.get(child_id, {}).values()
        return [r for r in found if r.provider_id == provider_id]

    def child_meals(self, child_id: str, provider_id: str, day: date) -> list[MealDeclaration]:
        """Active meal records of a child at one provider on one day."""
        found = self._meals_by_child.get(child_id, {}).values()
        return [m for m in found if m.provider_id == provider_id and m.day == day]
