"""Rank of the child among the household's children with family allowances (§3)."""

from datetime import date

import pytest

from csa_membership.domain.errors import InvalidHousehold
from csa_membership.domain.rank import HouseholdChild, decide_rank

ELDEST = HouseholdChild("a", date(2015, 1, 1))
MIDDLE = HouseholdChild("b", date(2018, 6, 1))
YOUNGEST = HouseholdChild("c", date(2022, 2, 1))


def test_youngest_of_three_is_rank_3() -> None:
    assert decide_rank("c", (YOUNGEST, ELDEST, MIDDLE)).rank == 3


def test_eldest_is_rank_1_whatever_the_listing_order() -> None:
    assert decide_rank("a", (MIDDLE, YOUNGEST, ELDEST)).rank == 1


def test_older_sibling_without_allowance_does_not_count_so_middle_is_rank_1() -> None:
    no_allowance = HouseholdChild("a", date(2005, 1, 1), receives_family_allowance=False)
    decision = decide_rank("b", (no_allowance, MIDDLE, YOUNGEST))
    assert decision.rank == 1
    assert decision.children_with_allowance == 2


def test_fifth_child_is_rank_5() -> None:
    kids = tuple(HouseholdChild(str(i), date(2010 + i, 1, 1)) for i in range(5))
    assert decide_rank("4", kids).rank == 5


def test_twins_are_ordered_by_identifier_ranks_1_and_2() -> None:
    t1, t2 = HouseholdChild("t1", date(2020, 1, 1)), HouseholdChild("t2", date(2020, 1, 1))
    assert (decide_rank("t1", (t2, t1)).rank, decide_rank("t2", (t2, t1)).rank) == (1, 2)


def test_child_missing_from_household_is_an_error() -> None:
    with pytest.raises(InvalidHousehold) as err:
        decide_rank("z", (ELDEST,))
    assert err.value.code == "child_not_listed"


def test_duplicate_child_is_an_error() -> None:
    with pytest.raises(InvalidHousehold):
        decide_rank("a", (ELDEST, ELDEST))


def test_explanation_names_the_rank() -> None:
    assert decide_rank("b", (ELDEST, MIDDLE)).explanation[-1].endswith("rank 2")
