"""Renewal, expiry, termination and events (csa-rules.md §8)."""

from dataclasses import replace
from datetime import date

import pytest
from membership_factories import (
    CAE_AGENT,
    CHILD_BIRTH,
    ESCH_AGENT,
    HOME,
    SSM,
    contract_data,
    household,
)

from csa_membership.domain.application import (
    Address,
    Applicant,
    Language,
    Person,
    Proof,
    ProofType,
)
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import Contract, ContractStatus, file_application, sign
from csa_membership.domain.eligibility import Employment, ParentSituation
from csa_membership.domain.errors import (
    ActiveContractConflict,
    ContractNotFound,
    InvalidContractTransition,
    InvalidDate,
    NotEligible,
)
from csa_membership.domain.events import ContractSigned
from csa_membership.domain.lifecycle import (
    expire,
    expiring,
    renew,
    signed_events,
    terminate,
)
from csa_membership.domain.nin import make_nin
from csa_shared.rules.categories import Category

FILED = date(2025, 3, 20)


def active(contract_id: str = "c-1", filed_on: date = FILED, **data: object) -> Contract:
    agent = ESCH_AGENT if data.get("resident", True) else CAE_AGENT
    contract = file_application(
        contract_id=contract_id,
        child_id="child-1",
        household_id="hh-1",
        data=contract_data(**data),
        agent=agent,
        filed_on=filed_on,
        existing=(),
        ssm=SSM,
    )
    return sign(contract, signed_on=filed_on, today=filed_on)


def test_signed_events_carry_what_billing_and_identity_need() -> None:
    signed, registered = signed_events(active())
    assert isinstance(signed, ContractSigned)
    state = signed.state
    assert (state.category, state.rank, state.version) == (Category.LT_2_5, 2, 1)
    assert (state.valid_from, state.valid_until) == (date(2025, 3, 3), date(2026, 3, 1))
    assert state.schooling is Schooling.NONE and state.language is Language.FR
    assert state.billing_address == HOME and state.household_id == "hh-1"
    assert registered.birth_date == CHILD_BIRTH and registered.first_name == "Mia"
    assert signed.EVENT_TYPE == "lu.csa.membership.contract.signed.v1"


def test_renewal_of_an_unknown_contract_is_contract_not_found() -> None:
    with pytest.raises(ContractNotFound) as err:
        renew(None, contract_id="c-404", filed_on=FILED)
    assert err.value.contract_id == "c-404"


def test_renewal_of_a_terminated_contract_is_refused() -> None:
    ended, _ = terminate(active(), last_day=date(2025, 6, 1), reason="moved abroad")
    with pytest.raises(InvalidContractTransition) as err:
        renew(ended, contract_id="c-1", filed_on=date(2025, 7, 1))
    assert err.value.code == "cannot_renew_terminated"


def test_on_time_renewal_continues_on_2026_03_02_without_rebilling() -> None:
    renewed, event = renew(active(), contract_id="c-1", filed_on=date(2026, 2, 10))
    assert renewed.validity is not None
    assert renewed.validity.valid_from == date(2026, 3, 2)
    assert len(renewed.terms) == 2
    assert event.rebill_months == ()
    assert event.previous_valid_until == date(2026, 3, 1)


def test_late_renewal_of_expired_contract_rebills_3_months_and_reactivates() -> None:
    expired, _ = expire(active(), as_of=date(2026, 3, 2))
    renewed, event = renew(
        expired,
        contract_id="c-1",
        filed_on=date(2026, 9, 15),
        data=contract_data(household=household("2000.00")),
        ssm=SSM,
    )
    assert renewed.status is ContractStatus.ACTIVE
    assert event.rebill_months == ("2026-06", "2026-07", "2026-08")
    assert event.state.valid_from == date(2026, 6, 1)
    assert event.state.category is Category.LT_1_5
    assert event.state.version == 2


def test_expiring_lists_only_active_contracts_past_their_end() -> None:
    contract = active()
    assert expiring([contract], as_of=date(2026, 3, 1)) == ()
    assert expiring([contract], as_of=date(2026, 3, 2)) == (contract,)


def test_expire_sets_status_expired_and_event_ends_on_2026_03_01() -> None:
    expired, event = expire(active(), as_of=date(2026, 3, 2))
    assert expired.status is ContractStatus.EXPIRED
    assert event.state.valid_until == date(2026, 3, 1)


def test_expiring_a_still_valid_contract_is_refused() -> None:
    with pytest.raises(InvalidDate):
        expire(active(), as_of=date(2026, 3, 1))


def test_termination_shortens_the_validity_to_the_last_day() -> None:
    ended, event = terminate(active(), last_day=date(2025, 6, 1), reason="moved abroad")
    assert ended.status is ContractStatus.TERMINATED
    assert event.state.valid_until == date(2025, 6, 1)
    assert event.reason == "moved abroad"


def test_termination_outside_the_validity_is_refused() -> None:
    with pytest.raises(InvalidDate):
        terminate(active(), last_day=date(2027, 1, 1), reason="x")


def test_termination_without_reason_is_refused() -> None:
    with pytest.raises(InvalidDate):
        terminate(active(), last_day=date(2025, 6, 1), reason=" ")


def test_child_registered_names_the_representative_and_their_address() -> None:
    _, registered = signed_events(active())
    assert (registered.representative_first_name, registered.representative_last_name) == (
        "Anna",
        "Muller",
    )
    assert registered.representative_address == HOME


def test_child_registered_for_a_proxy_applicant_uses_the_child_home_not_the_proxy() -> None:
    proxy_home = Address("1 rue du Proxy", "L-1111", "Luxembourg", "LU", "Luxembourg")
    data = {"applicant": Applicant("Paul Proxy", proxy_home, is_legal_representative=False)}
    contract = file_application(
        contract_id="c-1",
        child_id="child-1",
        household_id="hh-1",
        data=contract_data(**data, proofs=(Proof(ProofType.PROXY, FILED),)),
        agent=ESCH_AGENT,
        filed_on=FILED,
        existing=(),
        ssm=SSM,
    )
    _, registered = signed_events(sign(contract, signed_on=FILED, today=FILED))
    assert registered.representative_address == HOME


def test_renewal_while_another_contract_of_the_child_is_active_is_409_with_its_id() -> None:
    expired, _ = expire(active(), as_of=date(2026, 3, 2))
    other = active("c-2", filed_on=date(2026, 4, 1))
    with pytest.raises(ActiveContractConflict) as err:
        renew(expired, contract_id="c-1", filed_on=date(2026, 5, 4), others=(expired, other))
    assert err.value.existing_contract_id == "c-2"


def test_late_renewal_overlapping_a_terminated_contract_is_a_conflict() -> None:
    expired, _ = expire(active(), as_of=date(2026, 3, 2))
    ended, _ = terminate(
        active("c-2", filed_on=date(2026, 3, 10)), last_day=date(2026, 4, 30), reason="moved"
    )
    with pytest.raises(ActiveContractConflict) as err:
        renew(expired, contract_id="c-1", filed_on=date(2026, 6, 10), others=(ended,))
    assert err.value.existing_contract_id == "c-2"


def test_renewal_ignores_the_contract_itself_among_the_childs_contracts() -> None:
    contract = active()
    renewed, _ = renew(contract, contract_id="c-1", filed_on=date(2026, 2, 10), others=(contract,))
    assert len(renewed.terms) == 2


def test_renewal_of_a_child_13_and_out_of_fundamental_education_is_not_eligible() -> None:
    born = date(2013, 1, 5)
    child = Person("Tom", "Muller", make_nin(born, 5).value)
    contract = active(child=child, schooling=Schooling.FUNDAMENTAL)
    with pytest.raises(NotEligible) as err:
        renew(
            contract,
            contract_id="c-1",
            filed_on=date(2026, 2, 10),
            data=contract_data(child=child, schooling=Schooling.NONE),
        )
    assert [code for code, _ in err.value.refusals] == ["too_old_and_left_fundamental_education"]


def test_renewal_checks_the_age_on_the_first_day_of_the_renewed_term() -> None:
    born = date(2013, 2, 20)  # 12 when filed on 10 Feb 2026, 13 when the new term starts
    child = Person("Tom", "Muller", make_nin(born, 5).value)
    contract = active(child=child)
    with pytest.raises(NotEligible):
        renew(contract, contract_id="c-1", filed_on=date(2026, 2, 10))


def test_renewal_of_a_cross_border_child_whose_parent_lost_ccss_affiliation_is_refused() -> None:
    worker = ParentSituation(True, Employment.LUXEMBOURG, ccss_affiliated=True)
    abroad = Address("3 rue Haute", "57100", "Thionville", "FR")
    contract = active(
        resident=False,
        child_address=abroad,
        parents=(worker,),
        receives_luxembourg_family_allowance=True,
    )
    renewed, _ = renew(contract, contract_id="c-1", filed_on=date(2026, 2, 10))
    assert renewed.eligibility.eligible
    unaffiliated = ParentSituation(True, Employment.LUXEMBOURG, ccss_affiliated=False)
    data = contract.latest_version.data
    with pytest.raises(NotEligible) as err:
        renew(
            contract,
            contract_id="c-1",
            filed_on=date(2026, 2, 10),
            data=replace(data, parents=(unaffiliated,)),
        )
    assert [code for code, _ in err.value.refusals] == ["no_ccss_affiliation"]
