"""The child's rank among the household's children (csa-rules.md §3, seed 003).

Rank is the child's position, eldest first, among the children of the household who receive
family allowances (in a foster family: foster and own children; in a blended household: all
such children living in it). Twins born the same day are ordered by their identifier, so the
rank is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from csa_membership.domain.errors import InvalidHousehold


@dataclass(frozen=True)
class HouseholdChild:
    """One child living in the household."""

    child_id: str
    birth_date: date
    receives_family_allowance: bool = True


@dataclass(frozen=True)
class RankDecision:
    """The rank and how it was found."""

    rank: int
    children_with_allowance: int
    explanation: tuple[str, ...]


def decide_rank(child_id: str, children: tuple[HouseholdChild, ...]) -> RankDecision:
    """Rank of ``child_id`` among the household's children receiving family allowances."""
    ids = [c.child_id for c in children]
    if len(set(ids)) != len(ids):
        raise InvalidHousehold("a child is listed twice in the household", code="duplicate_child")
    subject = next((c for c in children if c.child_id == child_id), None)
    if subject is None:
        raise InvalidHousehold(
            f"child {child_id} is not among the household's children", code="child_not_listed"
        )
    counted = [c for c in children if c.receives_family_allowance]
    steps = [f"{len(counted)} child(ren) of the household receive family allowances"]
    if not subject.receives_family_allowance:
        steps.append(f"child {child_id} receives no family allowance: ranked among them by age")
        counted.append(subject)
    ordered = sorted(counted, key=lambda c: (c.birth_date, c.child_id))
    rank = ordered.index(subject) + 1
    older = [c.birth_date.isoformat() for c in ordered[: rank - 1]]
    steps.append(
        f"born {subject.birth_date.isoformat()}, after {len(older)} older sibling(s)"
        + (f" ({', '.join(older)})" if older else "")
        + f": rank {rank}"
    )
    return RankDecision(
        rank, len([c for c in children if c.receives_family_allowance]), tuple(steps)
    )
