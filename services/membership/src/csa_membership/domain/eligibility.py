"""Eligibility of a child for the CSA (csa-rules.md §8).

Two conditions, both required:

1. *age or schooling*: the child is under 13, and/or still in fundamental education;
2. *residence or cross-border work*: the child lives in Luxembourg, or at least one parent is an
   EU national working in Luxembourg and affiliated with the CCSS (or working for an EU
   institution) **and** the child receives the Luxembourg family allowance.

A refusal lists every failed condition with a machine code and an explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from csa_membership.domain.child import Schooling, age_on
from csa_membership.domain.errors import NotEligible

AGE_LIMIT = 13


class Employment(StrEnum):
    """Where a parent works, as far as §8 is concerned."""

    NONE = "none"
    LUXEMBOURG = "luxembourg"  # employed or self-employed in Luxembourg
    EU_INSTITUTION = "eu_institution"  # an institution of the European Union
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class ParentSituation:
    """What §8 asks about one parent or legal guardian of a non-resident child."""

    eu_national: bool
    employment: Employment
    ccss_affiliated: bool


@dataclass(frozen=True)
class EligibilityFacts:
    """Facts about one child, as of the day the application is examined."""

    birth_date: date
    schooling: Schooling
    resident_in_luxembourg: bool
    parents: tuple[ParentSituation, ...] = ()
    receives_luxembourg_family_allowance: bool = False


@dataclass(frozen=True)
class Refusal:
    """One failed condition: a stable machine code and a sentence for the agent."""

    code: str
    explanation: str


@dataclass(frozen=True)
class EligibilityDecision:
    """The outcome, with the refusals (empty when eligible) and every step taken."""

    eligible: bool
    refusals: tuple[Refusal, ...]
    explanation: tuple[str, ...]


def _parent_qualifies(parent: ParentSituation) -> bool:
    if not parent.eu_national:
        return False
    if parent.employment is Employment.EU_INSTITUTION:
        return True
    return parent.employment is Employment.LUXEMBOURG and parent.ccss_affiliated


def _cross_border_refusals(facts: EligibilityFacts) -> list[Refusal]:
    refusals: list[Refusal] = []
    eu_parents = [p for p in facts.parents if p.eu_national]
    workers = [
        p for p in eu_parents if p.employment in (Employment.LUXEMBOURG, Employment.EU_INSTITUTION)
    ]
    if not eu_parents:
        refusals.append(
            Refusal(
                "no_eu_national_parent", "the child is not resident and no parent is an EU national"
            )
        )
    elif not workers:
        refusals.append(
            Refusal(
                "no_parent_working_in_luxembourg",
                "the child is not resident and no EU-national parent works in Luxembourg "
                "or for an EU institution",
            )
        )
    elif not any(_parent_qualifies(p) for p in workers):
        refusals.append(
            Refusal(
                "no_ccss_affiliation",
                "the EU-national parent working in Luxembourg is not affiliated with the CCSS",
            )
        )
    if not facts.receives_luxembourg_family_allowance:
        refusals.append(
            Refusal(
                "no_luxembourg_family_allowance",
                "the child is not resident and does not receive the Luxembourg family allowance",
            )
        )
    return refusals


def decide_eligibility(facts: EligibilityFacts, *, on: date) -> EligibilityDecision:
    """Decide whether the child is eligible on ``on`` (§8); never raises for a refusal."""
    steps: list[str] = []
    refusals: list[Refusal] = []
    age = age_on(facts.birth_date, on)
    in_fundamental = facts.schooling is Schooling.FUNDAMENTAL
    steps.append(f"child is {age} years old on {on.isoformat()}; schooling: {facts.schooling}")
    if age < AGE_LIMIT:
        steps.append(f"age condition met: under {AGE_LIMIT}")
    elif in_fundamental:
        steps.append(f"age condition met: {AGE_LIMIT} or older but still in fundamental education")
    else:
        refusals.append(
            Refusal(
                "too_old_and_left_fundamental_education",
                f"the child is {age} (not under {AGE_LIMIT}) and not in fundamental education",
            )
        )
        steps.append("age condition failed")
    if facts.resident_in_luxembourg:
        steps.append("residence condition met: the child lives in Luxembourg")
    else:
        cross_border = _cross_border_refusals(facts)
        if cross_border:
            steps.append("cross-border condition failed")
        else:
            steps.append(
                "cross-border condition met: an EU-national parent works in Luxembourg "
                "(CCSS) or for an EU institution and the child receives the Luxembourg "
                "family allowance"
            )
        refusals.extend(cross_border)
    eligible = not refusals
    steps.append("eligible" if eligible else "not eligible")
    return EligibilityDecision(eligible, tuple(refusals), tuple(steps))


def ensure_eligible(facts: EligibilityFacts, *, on: date) -> EligibilityDecision:
    """Like ``decide_eligibility`` but raise ``NotEligible`` listing the refusals."""
    decision = decide_eligibility(facts, on=on)
    if not decision.eligible:
        raise NotEligible(tuple((r.code, r.explanation) for r in decision.refusals))
    return decision
