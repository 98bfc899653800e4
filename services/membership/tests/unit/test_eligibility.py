"""Eligibility (csa-rules.md §8)."""

from datetime import date

import pytest

from csa_membership.domain.child import Schooling, age_on
from csa_membership.domain.eligibility import (
    EligibilityFacts,
    Employment,
    ParentSituation,
    decide_eligibility,
    ensure_eligible,
)
from csa_membership.domain.errors import InvalidDate, NotEligible

ON = date(2025, 3, 10)
LU_WORKER = ParentSituation(
    eu_national=True, employment=Employment.LUXEMBOURG, ccss_affiliated=True
)


def facts(
    birth: date = date(2018, 6, 1),
    schooling: Schooling = Schooling.FUNDAMENTAL,
    resident: bool = True,
    parents: tuple[ParentSituation, ...] = (),
    allowance: bool = False,
) -> EligibilityFacts:
    return EligibilityFacts(birth, schooling, resident, parents, allowance)


def codes(f: EligibilityFacts) -> list[str]:
    return [r.code for r in decide_eligibility(f, on=ON).refusals]


def test_resident_child_aged_6_is_eligible() -> None:
    decision = decide_eligibility(facts(), on=ON)
    assert decision.eligible
    assert decision.refusals == ()
    assert decision.explanation[-1] == "eligible"


def test_child_turning_13_the_next_day_is_still_eligible_out_of_school() -> None:
    f = facts(birth=date(2012, 3, 11), schooling=Schooling.NONE)
    assert decide_eligibility(f, on=ON).eligible


def test_child_of_13_still_in_fundamental_education_is_eligible() -> None:
    assert decide_eligibility(facts(birth=date(2011, 1, 1)), on=ON).eligible


def test_child_of_13_out_of_fundamental_education_is_refused_too_old() -> None:
    f = facts(birth=date(2012, 3, 10), schooling=Schooling.NONE)
    assert codes(f) == ["too_old_and_left_fundamental_education"]


def test_non_resident_child_of_ccss_affiliated_eu_worker_with_allowance_is_eligible() -> None:
    f = facts(resident=False, parents=(LU_WORKER,), allowance=True)
    assert decide_eligibility(f, on=ON).eligible


def test_non_resident_child_of_eu_institution_agent_with_allowance_is_eligible() -> None:
    agent = ParentSituation(True, Employment.EU_INSTITUTION, ccss_affiliated=False)
    assert decide_eligibility(
        facts(resident=False, parents=(agent,), allowance=True), on=ON
    ).eligible


def test_non_resident_without_ccss_affiliation_is_refused_no_ccss_affiliation() -> None:
    worker = ParentSituation(True, Employment.LUXEMBOURG, ccss_affiliated=False)
    assert codes(facts(resident=False, parents=(worker,), allowance=True)) == [
        "no_ccss_affiliation"
    ]


def test_non_resident_without_family_allowance_is_refused_no_allowance() -> None:
    assert codes(facts(resident=False, parents=(LU_WORKER,), allowance=False)) == [
        "no_luxembourg_family_allowance"
    ]


def test_non_resident_with_non_eu_parents_is_refused_no_eu_national_parent() -> None:
    parent = ParentSituation(False, Employment.LUXEMBOURG, ccss_affiliated=True)
    assert codes(facts(resident=False, parents=(parent,), allowance=True)) == [
        "no_eu_national_parent"
    ]


def test_non_resident_eu_parent_working_abroad_is_refused_no_parent_working_in_luxembourg() -> None:
    parent = ParentSituation(True, Employment.ELSEWHERE, ccss_affiliated=False)
    assert codes(facts(resident=False, parents=(parent,), allowance=True)) == [
        "no_parent_working_in_luxembourg"
    ]


def test_one_qualifying_parent_out_of_two_is_enough() -> None:
    other = ParentSituation(False, Employment.NONE, ccss_affiliated=False)
    assert decide_eligibility(
        facts(resident=False, parents=(other, LU_WORKER), allowance=True), on=ON
    ).eligible


def test_too_old_non_resident_without_anything_lists_all_three_refusals() -> None:
    f = facts(birth=date(2010, 1, 1), schooling=Schooling.NONE, resident=False)
    assert codes(f) == [
        "too_old_and_left_fundamental_education",
        "no_eu_national_parent",
        "no_luxembourg_family_allowance",
    ]


def test_ensure_eligible_raises_not_eligible_with_codes() -> None:
    with pytest.raises(NotEligible) as err:
        ensure_eligible(facts(resident=False, parents=(LU_WORKER,)), on=ON)
    assert err.value.refusals[0][0] == "no_luxembourg_family_allowance"
    assert err.value.code == "not_eligible"


def test_birth_date_after_examination_day_is_an_impossible_date() -> None:
    with pytest.raises(InvalidDate):
        decide_eligibility(facts(birth=date(2025, 3, 11)), on=ON)


def test_age_on_birthday_eve_is_one_less_than_on_birthday() -> None:
    assert age_on(date(2012, 3, 11), date(2025, 3, 10)) == 12
    assert age_on(date(2012, 3, 11), date(2025, 3, 11)) == 13


def test_leap_day_child_turns_one_on_1_march_of_non_leap_year() -> None:
    assert age_on(date(2020, 2, 29), date(2021, 2, 28)) == 0
    assert age_on(date(2020, 2, 29), date(2021, 3, 1)) == 1
