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

from csa_attendance.domain.contracts import EducationContract
from csa_attendance.domain.errors import RecordRef
from csa_attendance.domain.providers import Provider
from csa_attendance.domain.records import (
    D,
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
        for p in state.presences:
            self.put_presence(p)
        for m in state.meals:
            self.put_meal(m)
        for r in state.reservations:
            self.put_reservation(r)

    def put_presence(self, history: RecordHistory[PresenceDeclaration]) -> None:
        key = history.key
        self.presences[key] = history
        self._index(self._presences_by_child, history, key)

    def put_meal(self, history: RecordHistory[MealDeclaration]) -> None:
        key = history.key
        self.meals[key] = history
        self._index(self._meals_by_child, history, key)

    def put_reservation(self, history: RecordHistory[ReservationDeclaration]) -> None:
        key = history.key
        self.reservations[key] = history
        self._index(self._reservations_by_child, history, key)

    @staticmethod
    def _index(
        by_child: dict[str, dict[RecordRef, D]],
        history: RecordHistory[D],
        key: RecordRef,
    ) -> None:
        current = history.current
        content = current.content  # corrections never change the child
        records = by_child.setdefault(content.child_id, {})
        records.pop(key, None)
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
