"""Contract lifecycle: filing, signature, amendments, one per child (csa-rules.md §8)."""

from datetime import date
from decimal import Decimal

import pytest
from membership_factories import ESCH_AGENT, SSM, contract_data, household

from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import (
    AmendmentKind,
    Contract,
    ContractStatus,
    ContractVersion,
    amend,
    default_effective_date,
    ensure_no_active_contract,
    file_application,
    sign,
)
from csa_membership.domain.errors import (
    ActiveContractConflict,
    InvalidAmendment,
    InvalidContractTransition,
    InvalidDate,
    NotEligible,
)
from csa_shared.rules.categories import Category

FILED = date(2025, 3, 20)


def filed(contract_id: str = "c-1", existing: tuple[Contract, ...] = (), **kw: object) -> Contract:
    return file_application(
        contract_id=contract_id,
        child_id="child-1",
        household_id="hh-1",
        data=kw.pop("data", contract_data()),  # type: ignore[arg-type]
        agent=ESCH_AGENT,
        filed_on=FILED,
        existing=existing,
        ssm=SSM,
        **kw,  # type: ignore[arg-type]
    )


def version_on(contract: Contract, day: date) -> ContractVersion:
    version = contract.version_on(day)
    assert version is not None
    return version


def active() -> Contract:
    return sign(filed(), signed_on=FILED, today=FILED)


def test_filing_gives_an_applied_contract_with_category_lt_2_5_rank_2() -> None:
    contract = filed()
    assert contract.status is ContractStatus.APPLIED
    assessment = contract.latest_version.assessment
    assert (assessment.category, assessment.rank) == (Category.LT_2_5, 2)
    assert contract.eligibility.eligible


def test_filing_uses_the_ssm_in_force_when_none_is_given() -> None:
    contract = file_application(
        contract_id="c-1",
        child_id="child-1",
        household_id="hh-1",
        data=contract_data(),
        agent=ESCH_AGENT,
        filed_on=FILED,
        existing=(),
    )
    assert contract.latest_version.assessment.category is Category.LT_2_5


def test_ineligible_non_resident_is_refused_at_filing() -> None:
    from membership_factories import CAE_AGENT

    with pytest.raises(NotEligible) as err:
        file_application(
            contract_id="c-1",
            child_id="child-1",
            household_id="hh-1",
            data=contract_data(resident=False),
            agent=CAE_AGENT,
            filed_on=FILED,
            existing=(),
            ssm=SSM,
        )
    assert "no_eu_national_parent" in [code for code, _ in err.value.refusals]


def test_signature_activates_from_the_start_of_the_billing_period_2025_03_03() -> None:
    contract = active()
    assert contract.status is ContractStatus.ACTIVE
    assert contract.validity is not None
    assert contract.validity.valid_from == date(2025, 3, 3)
    assert contract.validity.valid_until == date(2026, 3, 1)
    assert contract.versions[0].effective_from == date(2025, 3, 3)


def test_exceptional_3_period_contract_ends_2025_06_01() -> None:
    contract = sign(filed(exception_reason="temporary stay"), signed_on=FILED, today=FILED)
    assert contract.validity is not None
    assert contract.validity.valid_until == date(2025, 6, 1)


def test_signature_before_filing_is_an_impossible_date() -> None:
    with pytest.raises(InvalidDate):
        sign(filed(), signed_on=date(2025, 3, 19), today=FILED)


def test_signature_dated_after_today_is_an_impossible_date() -> None:
    with pytest.raises(InvalidDate) as err:
        sign(filed(), signed_on=date(2025, 3, 21), today=FILED)
    assert err.value.code == "signed_in_future"


def test_signature_dated_today_is_accepted() -> None:
    assert sign(filed(), signed_on=FILED, today=FILED).signed_on == FILED


def test_signing_twice_is_an_invalid_transition() -> None:
    with pytest.raises(InvalidContractTransition):
        sign(active(), signed_on=FILED, today=FILED)


def test_second_contract_for_the_same_child_conflicts_with_the_first_id() -> None:
    with pytest.raises(ActiveContractConflict) as err:
        filed("c-2", existing=(active(),))
    assert err.value.existing_contract_id == "c-1"


def test_pending_application_also_blocks_a_second_one() -> None:
    with pytest.raises(ActiveContractConflict):
        ensure_no_active_contract("child-1", (filed(),), on=FILED)


def test_contract_of_another_child_does_not_conflict() -> None:
    ensure_no_active_contract("child-2", (active(),), on=FILED)


def test_contract_past_its_validity_no_longer_blocks() -> None:
    ensure_no_active_contract("child-1", (active(),), on=date(2026, 3, 2))


def test_amendment_defaults_to_the_next_billing_period_2025_04_07() -> None:
    assert default_effective_date(date(2025, 3, 20)) == date(2025, 4, 7)
    amended = amend(
        active(),
        data=contract_data(household=household("2000.00")),
        changes=(AmendmentKind.INCOME,),
        recorded_on=date(2025, 3, 20),
        ssm=SSM,
    )
    assert [v.number for v in amended.versions] == [1, 2]
    assert version_on(amended, date(2025, 4, 6)).assessment.category is Category.LT_2_5
    assert version_on(amended, date(2025, 4, 7)).assessment.category is Category.LT_1_5


def test_amendment_dated_otherwise_needs_a_reason() -> None:
    with pytest.raises(InvalidAmendment) as err:
        amend(
            active(),
            data=contract_data(),
            changes=(AmendmentKind.ADDRESS,),
            recorded_on=date(2025, 3, 20),
            effective_from=date(2025, 3, 10),
            ssm=SSM,
        )
    assert err.value.code == "date_without_reason"


def test_retroactive_amendment_with_reason_applies_from_its_date() -> None:
    amended = amend(
        active(),
        data=contract_data(schooling=Schooling.PRECOCE_PART_TIME),
        changes=(AmendmentKind.SCHOOLING,),
        recorded_on=date(2025, 3, 20),
        effective_from=date(2025, 3, 10),
        reason="précoce started on 10 March",
        ssm=SSM,
    )
    assert version_on(amended, date(2025, 3, 9)).data.schooling is Schooling.NONE
    assert version_on(amended, date(2025, 3, 10)).data.schooling is Schooling.PRECOCE_PART_TIME


def test_amendment_outside_the_validity_is_refused() -> None:
    with pytest.raises(InvalidDate):
        amend(
            active(),
            data=contract_data(),
            changes=(AmendmentKind.ADDRESS,),
            recorded_on=date(2026, 2, 20),
            ssm=SSM,
        )


def test_amendment_without_change_kind_is_refused() -> None:
    with pytest.raises(InvalidAmendment):
        amend(active(), data=contract_data(), changes=(), recorded_on=FILED, ssm=SSM)


def test_amending_an_unsigned_contract_is_an_invalid_transition() -> None:
    with pytest.raises(InvalidContractTransition):
        amend(filed(), data=contract_data(), changes=(AmendmentKind.INCOME,), recorded_on=FILED)


def test_negative_income_in_an_application_is_refused() -> None:
    from csa_membership.domain.errors import InvalidIncome

    with pytest.raises(InvalidIncome):
        filed(data=contract_data(household=household("-10.00")))


def test_version_history_is_kept_after_three_amendments() -> None:
    contract = active()
    for income in ("4000.00", "3000.00", "2000.00"):
        contract = amend(
            contract,
            data=contract_data(household=household(income)),
            changes=(AmendmentKind.INCOME,),
            recorded_on=FILED,
            ssm=SSM,
        )
    assert len(contract.versions) == 4
    assert contract.versions[0].assessment.monthly_income == Decimal("5200.00")
    assert version_on(contract, date(2025, 4, 7)).assessment.monthly_income == Decimal("2000.00")
