"""Rules a presence, meal or reservation must meet to be accepted (csa-rules.md §10, §6).

Choices made here (documented in the module, stable for the API):

* Times are naive local time on whole minutes (attendance counts minutes), on days of
  2000-01-01..2100-12-31 (`csa_shared.rules.bounds`: beyond, day arithmetic overflows).
* A presence or reservation lasts at most 24 h (`MAX_LENGTH`); so it crosses at most one
  midnight. Zero-length spans are refused (`end` must be after `start`).
* A presence must have ended by `now`; a meal's day must not be after `now`'s day.
  Reservations are pre-registrations and may lie in the future.
* The child needs an education contract with the posting provider on every day the span
  touches. A child unknown to the provider, whether it exists elsewhere or not, gets the same
  `unknown_child` answer (no information leak); `no_contract_on_date` is only given when the
  provider does have a contract with the child, on other dates.
* A child's presences never overlap, across all providers. Reservations of a child do not
  overlap at one provider (slots at two providers may coexist).
* Meals need an active presence of the child at that provider touching that day; a record's
  count is 1..3 and the child's meals per day per provider total at most 3
  (`MAX_MEALS_PER_DAY`: lunch, dinner and one more for 24 h care; §6 caps what the state
  supports per week, not what is eaten).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta

from csa_attendance.domain import checks
from csa_attendance.domain.contracts import EducationContract, covered
from csa_attendance.domain.errors import Code, Violation
from csa_attendance.domain.ledger import Ledger
from csa_attendance.domain.records import (
    MealDeclaration,
    PresenceDeclaration,
    ReservationDeclaration,
)

MAX_LENGTH = timedelta(hours=24)
MAX_MEALS_PER_DAY = 3


def _provider_known(provider_id: str, ledger: Ledger) -> list[Violation]:
    if provider_id in ledger.providers:
        return []
    return [Violation(Code.UNKNOWN_PROVIDER, "provider_id", "unknown provider")]


def _contract_on_days(
    days: Iterable[date], contracts: Collection[EducationContract], *, field: str = "start"
) -> list[Violation]:
    """§10: an education contract with this provider on each day; no leak of other links.

    `contracts` are the child's contracts with the posting provider (`Ledger.contracts_of`).
    """
    if not contracts:
        return [Violation(Code.UNKNOWN_CHILD, "child_id", "no such child under contract")]
    uncovered = [d for d in days if not covered(d, contracts)]
    if uncovered:
        listed = ", ".join(d.isoformat() for d in uncovered)
        return [
            Violation(
                Code.NO_CONTRACT_ON_DATE,
                field,
                f"no education contract with this child on {listed}",
            )
        ]
    return []


def _span(start: datetime, end: datetime) -> list[Violation]:
    found = checks.local_minute(start, "start") + checks.local_minute(end, "end")
    if found:
        return found
    found = checks.day(start.date(), "start") or checks.day(end.date(), "end")
    if found:
        return found
    if end <= start:
        return [Violation(Code.END_NOT_AFTER_START, "end", "end must be after start")]
    if end - start > MAX_LENGTH:
        return [Violation(Code.TOO_LONG, "end", "a span lasts at most 24 hours")]
    return []


def _overlap_message(other: PresenceDeclaration | ReservationDeclaration, provider_id: str) -> str:
    when = f"{other.start:%Y-%m-%d %H:%M}–{other.end:%Y-%m-%d %H:%M}"
    if other.provider_id == provider_id:
        return f"overlaps record {other.record_id} ({when})"
    return f"overlaps a presence declared by another provider ({when})"


def validate_presence(
    presence: PresenceDeclaration, *, ledger: Ledger, now: datetime
) -> list[Violation]:
    """All reasons to refuse `presence`; empty when it may be accepted (§10)."""
    found = _provider_known(presence.provider_id, ledger)
    if found:
        return found
    found = _span(presence.start, presence.end)
    if found:
        return found
    span = presence.interval
    found = _contract_on_days(
        span.days(), ledger.contracts_of(presence.child_id, presence.provider_id)
    )
    if presence.end > now:
        found.append(Violation(Code.IN_FUTURE, "end", "a presence is declared once it has ended"))
    for other in ledger.child_presences(presence.child_id):
        # `Interval.overlaps` and `other.key != presence.key`, inlined: this loop runs for
        # every item of a batch.
        if (
            other.start < span.end
            and span.start < other.end
            and (other.record_id != presence.record_id or other.provider_id != presence.provider_id)
        ):
            found.append(
                Violation(
                    Code.OVERLAP,
                    "start",
                    _overlap_message(other, presence.provider_id),
                    conflicting=other.key,
                )
            )
    return found


def validate_reservation(reservation: ReservationDeclaration, *, ledger: Ledger) -> list[Violation]:
    """All reasons to refuse a reservation (pre-registered slot); it may be in the future."""
    found = _provider_known(reservation.provider_id, ledger)
    if found:
        return found
    found = _span(reservation.start, reservation.end)
    if found:
        return found
    span = reservation.interval
    found = _contract_on_days(
        span.days(), ledger.contracts_of(reservation.child_id, reservation.provider_id)
    )
    for other in ledger.child_reservations(reservation.child_id, reservation.provider_id):
        if other.key != reservation.key and other.interval.overlaps(span):
            found.append(
                Violation(
                    Code.OVERLAP,
                    "start",
                    _overlap_message(other, reservation.provider_id),
                    conflicting=other.key,
                )
            )
    return found


def present_on(presences: Iterable[PresenceDeclaration], provider_id: str, day: date) -> bool:
    """True when one of `presences` at `provider_id` touches calendar `day`."""
    return any(p.provider_id == provider_id and day in p.interval.days() for p in presences)


def validate_meal(meal: MealDeclaration, *, ledger: Ledger, now: datetime) -> list[Violation]:
    """All reasons to refuse a meal record (§6, §10)."""
    found = _provider_known(meal.provider_id, ledger) or checks.day(meal.day, "day")
    if found:
        return found
    if isinstance(meal.count, bool) or not 1 <= meal.count <= MAX_MEALS_PER_DAY:
        return [
            Violation(
                Code.MEAL_COUNT_OUT_OF_RANGE,
                "count",
                f"count must be 1 to {MAX_MEALS_PER_DAY}, got {meal.count}",
            )
        ]
    found = _contract_on_days(
        [meal.day], ledger.contracts_of(meal.child_id, meal.provider_id), field="day"
    )
    if found:
        return found
    if meal.day > now.date():
        found.append(Violation(Code.IN_FUTURE, "day", "a meal is declared once eaten"))
    if not present_on(ledger.child_presences(meal.child_id), meal.provider_id, meal.day):
        found.append(
            Violation(
                Code.NO_PRESENCE_THAT_DAY,
                "day",
                f"no presence of the child at this provider on {meal.day.isoformat()}",
            )
        )
    others = ledger.child_meals(meal.child_id, meal.provider_id, meal.day)
    already = sum(m.count for m in others if m.key != meal.key)
    if already + meal.count > MAX_MEALS_PER_DAY:
        found.append(
            Violation(
                Code.TOO_MANY_MEALS_THAT_DAY,
                "count",
                f"{already} meals already declared on {meal.day.isoformat()}; "
                f"at most {MAX_MEALS_PER_DAY} per day",
            )
        )
    return found
