"""Application checks: mandatory data, language, agent, proxy (csa-rules.md §8)."""

from dataclasses import replace
from datetime import date

import pytest
from membership_factories import CAE_AGENT, ESCH_AGENT, HOME, PARTNER_NIN, contract_data

from csa_membership.domain.application import (
    Agent,
    AgentKind,
    Applicant,
    Language,
    Person,
    Proof,
    ProofType,
    check_agent,
    check_mandatory_data,
    check_proxy,
    parse_language,
)
from csa_membership.domain.errors import (
    AgentNotCompetent,
    IncompleteApplication,
    ProxyRequired,
    UnknownLanguage,
)
from csa_membership.domain.household import Household, Member, Role, Situation

TODAY = date(2025, 3, 20)


def problems_of(**changes: object) -> list[str]:
    with pytest.raises(IncompleteApplication) as err:
        check_mandatory_data(contract_data(**changes), today=TODAY)
    return [p.field for p in err.value.problems]


def test_complete_data_passes() -> None:
    check_mandatory_data(contract_data(), today=TODAY)


@pytest.mark.parametrize("code", ["lb", "de", "fr", "en", "pt", " LB "])
def test_the_five_languages_are_accepted(code: str) -> None:
    assert parse_language(code) in set(Language)


@pytest.mark.parametrize("code", ["it", "", "french"])
def test_unknown_language_is_refused(code: str) -> None:
    with pytest.raises(UnknownLanguage) as err:
        parse_language(code)
    assert "lb, de, fr, en, pt" in err.value.message


def test_missing_child_name_and_bad_child_nin_are_both_listed() -> None:
    child = Person("", "Muller", "2022051004201")
    assert problems_of(child=child) == ["child.first_name", "child.nin"]


def test_representative_nin_with_bad_verhoeff_digit_is_listed() -> None:
    bad = Person("Anna", "Muller", "1988110300700")
    with pytest.raises(IncompleteApplication) as err:
        check_mandatory_data(contract_data(representative=bad), today=TODAY)
    assert err.value.problems[0].field == "representative.nin"
    assert "check" in err.value.problems[0].problem


def test_child_nin_born_after_filing_is_refused() -> None:
    from csa_membership.domain.nin import make_nin

    unborn = Person("Mia", "Muller", make_nin(date(2025, 6, 1), 1).value)
    assert problems_of(child=unborn) == ["child.nin"]


def test_blended_household_without_partner_nin_is_incomplete() -> None:
    blended = Household(Situation.BLENDED, (Member(Role.REPRESENTATIVE, "A"),))
    assert problems_of(household=blended) == ["partner_nin"]


def test_blended_household_with_partner_nin_is_complete() -> None:
    blended = Household(Situation.BLENDED, (Member(Role.REPRESENTATIVE, "A"),))
    check_mandatory_data(contract_data(household=blended, partner_nin=PARTNER_NIN), today=TODAY)


def test_empty_billing_address_locality_is_listed() -> None:
    assert problems_of(billing_address=replace(HOME, locality=" ")) == ["billing_address.locality"]


def test_resident_child_address_without_commune_is_listed() -> None:
    assert problems_of(child_address=replace(HOME, commune=None)) == ["child_address.commune"]


def test_declared_allowance_count_must_match_the_listed_children() -> None:
    assert problems_of(children_with_allowance=3) == ["children_with_allowance"]


def test_commune_agent_of_the_childs_commune_may_file() -> None:
    check_agent(ESCH_AGENT, contract_data())


def test_agent_outside_the_childs_commune_is_refused() -> None:
    other = Agent("agent-lux", AgentKind.COMMUNE, "Luxembourg")
    with pytest.raises(AgentNotCompetent) as err:
        check_agent(other, contract_data())
    assert err.value.code == "agent_outside_commune"


def test_cae_agent_cannot_file_for_a_resident() -> None:
    with pytest.raises(AgentNotCompetent) as err:
        check_agent(CAE_AGENT, contract_data())
    assert err.value.code == "resident_needs_commune"


def test_commune_agent_cannot_file_for_a_non_resident() -> None:
    with pytest.raises(AgentNotCompetent) as err:
        check_agent(ESCH_AGENT, contract_data(resident=False))
    assert err.value.code == "non_resident_needs_cae"


def test_cae_agent_files_for_a_non_resident() -> None:
    check_agent(CAE_AGENT, contract_data(resident=False))


def test_applicant_who_is_not_the_representative_needs_a_proxy() -> None:
    grandma = Applicant("Rosa Muller", HOME, is_legal_representative=False)
    with pytest.raises(ProxyRequired):
        check_proxy(contract_data(applicant=grandma))


def test_applicant_with_signed_proxy_is_accepted() -> None:
    grandma = Applicant("Rosa Muller", HOME, is_legal_representative=False)
    proof = Proof(ProofType.PROXY, date(2025, 3, 1))
    check_proxy(contract_data(applicant=grandma, proofs=(proof,)))
