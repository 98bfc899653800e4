"""Renewal, expiry, termination and events (csa-rules.md §8)."""

from datetime import date

import pytest
from membership_factories import CHILD_BIRTH, ESCH_AGENT, HOME, SSM, contract_data, household

from csa_membership.domain.application import Language
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import Contract, ContractStatus, file_application, sign
from csa_membership.domain.errors import ContractNotFound, InvalidContractTransition, InvalidDate
from csa_membership.domain.events import ContractSigned
from csa_membership.domain.lifecycle import (
    expire,
    expiring,
    renew,
    signed_events,
    terminate,
)
from csa_shared.rules.categories import Category

FILED = date(2025, 3, 20)


def active() -> Contract:
    contract = file_application(
        contract_id="c-1",
        child_id="child-1",
        household_id="hh-1",
        data=contract_data(),
        agent=ESCH_AGENT,
        filed_on=FILED,
        existing=(),
        ssm=SSM,
    )
    return sign(contract, signed_on=FILED)


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
