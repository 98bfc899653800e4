"""Where an agent may act on a provider's records (issue 19 §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_shared.auth import (
    Forbidden,
    Principal,
    PrincipalKind,
    Role,
    agent_sees_provider,
    provider_scope,
    require_agent_sees_provider,
    same_commune,
)
from csa_shared.rules.parameters import ProviderType

AP = ProviderType.ASSISTANT_PARENTAL
SEA = ProviderType.SEA_CONVENTIONNE


def agent(*roles: str, commune: str | None = None) -> Principal:
    return Principal(
        subject="agent", kind=PrincipalKind.AGENT, roles=frozenset(roles), commune=commune
    )


ESCH = agent(Role.COMMUNE_AGENT, commune="Esch-sur-Alzette")
AGENCY = agent(Role.DAGESELTEREN_AGENT)
CAE = agent(Role.CAE_AGENT)


def test_a_commune_agent_sees_the_providers_of_its_commune_only() -> None:
    assert agent_sees_provider(ESCH, SEA, "Esch-sur-Alzette")
    assert agent_sees_provider(ESCH, SEA, "ESCH-SUR-ALZETTE")  # case-folded, as membership
    assert agent_sees_provider(ESCH, AP, "Esch-sur-Alzette")
    assert not agent_sees_provider(ESCH, SEA, "Luxembourg")
    assert not agent_sees_provider(ESCH, AP, "Luxembourg")


def test_a_commune_agent_without_a_commune_claim_sees_no_provider() -> None:
    assert not agent_sees_provider(agent(Role.COMMUNE_AGENT), SEA, "Luxembourg")
    assert not agent_sees_provider(agent(Role.COMMUNE_AGENT, commune=""), SEA, "")


def test_the_agency_sees_parental_assistants_anywhere_and_no_sea() -> None:
    assert agent_sees_provider(AGENCY, AP, "Luxembourg")
    assert agent_sees_provider(AGENCY, AP, "Clervaux")
    for kind in (ProviderType.SEA_CONVENTIONNE, ProviderType.SEA_COMMERCIAL):
        assert not agent_sees_provider(AGENCY, kind, "Luxembourg")


def test_a_cae_agent_sees_every_provider() -> None:
    for kind in ProviderType:
        assert agent_sees_provider(CAE, kind, "Wiltz")


def test_any_role_of_the_agent_that_grants_it_is_enough() -> None:
    both = agent(Role.COMMUNE_AGENT, Role.DAGESELTEREN_AGENT, commune="Mamer")
    assert agent_sees_provider(both, AP, "Luxembourg")  # as the agency
    assert agent_sees_provider(both, SEA, "Mamer")  # as Mamer's agent
    assert not agent_sees_provider(both, SEA, "Luxembourg")


def test_principals_that_are_not_scheme_agents_never_pass() -> None:
    provider = Principal(
        subject="client",
        kind=PrincipalKind.PROVIDER,
        roles=frozenset({Role.PROVIDER_SYSTEM, Role.CAE_AGENT}),  # a role it cannot use
        scopes=frozenset({provider_scope("p-1")}),
        provider_id="p-1",
    )
    officer = agent(Role.PRIVACY_OFFICER, commune="Luxembourg")
    parent = Principal(subject="p", kind=PrincipalKind.PARENT, roles=frozenset({Role.PARENT}))
    for who in (provider, officer, parent):
        assert not agent_sees_provider(who, SEA, "Luxembourg")
        assert not agent_sees_provider(who, AP, "Luxembourg")


@pytest.mark.parametrize(
    ("who", "kind", "commune", "message"),
    [
        (ESCH, SEA, "Luxembourg", "another commune"),
        (AGENCY, SEA, "Luxembourg", "parental assistants only"),
        (agent(Role.PRIVACY_OFFICER), SEA, "Luxembourg", "competent"),
    ],
)
def test_a_refusal_says_which_rule(
    who: Principal, kind: ProviderType, commune: str, message: str
) -> None:
    with pytest.raises(Forbidden, match=message):
        require_agent_sees_provider(who, kind, commune)


def test_an_allowed_agent_passes_the_requirement() -> None:
    require_agent_sees_provider(ESCH, SEA, "esch-sur-alzette")
    require_agent_sees_provider(AGENCY, AP, "Luxembourg")
    require_agent_sees_provider(CAE, SEA, "Luxembourg")


communes = st.text(min_size=1, max_size=20)


@given(communes, communes)
def test_a_commune_agent_sees_a_provider_exactly_when_the_communes_fold_alike(
    claim: str, commune: str
) -> None:
    who = agent(Role.COMMUNE_AGENT, commune=claim)
    expected = claim.casefold() == commune.casefold()
    assert agent_sees_provider(who, SEA, commune) is expected
    assert same_commune(claim, commune) is expected
    assert same_commune(claim, None) is False
