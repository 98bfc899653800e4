from __future__ import annotations

import pytest

from csa_shared.auth import (
    Forbidden,
    Principal,
    PrincipalKind,
    Role,
    provider_scope,
    require_child,
    require_kind,
    require_provider,
    require_role,
    require_scope,
)

PARENT = Principal(
    subject="parent-1",
    kind=PrincipalKind.PARENT,
    roles=frozenset({Role.PARENT}),
    children=frozenset({"child-a"}),
)
COMMUNE_AGENT = Principal(
    subject="agent-7",
    kind=PrincipalKind.AGENT,
    roles=frozenset({Role.COMMUNE_AGENT}),
    commune="Esch-sur-Alzette",
)
PROVIDER = Principal(
    subject="client-9",
    kind=PrincipalKind.PROVIDER,
    roles=frozenset({Role.PROVIDER_SYSTEM}),
    scopes=frozenset({provider_scope("p-42")}),
    provider_id="p-42",
)


def test_parent_sees_attached_child() -> None:
    assert PARENT.can_see_child("child-a")
    require_child(PARENT, "child-a")


def test_parent_token_for_another_familys_child_is_refused() -> None:
    assert not PARENT.can_see_child("child-of-another-family")
    with pytest.raises(Forbidden):
        require_child(PARENT, "child-of-another-family")


def test_commune_agent_sees_only_children_of_own_commune() -> None:
    assert COMMUNE_AGENT.can_see_child("c1", child_commune="Esch-sur-Alzette")
    assert not COMMUNE_AGENT.can_see_child("c1", child_commune="Luxembourg")
    assert not COMMUNE_AGENT.can_see_child("c1")


def test_cae_agent_sees_any_child_and_provider_sees_none_through_this_check() -> None:
    cae = Principal(subject="a", kind=PrincipalKind.AGENT, roles=frozenset({Role.CAE_AGENT}))
    assert cae.can_see_child("any")
    assert not PROVIDER.can_see_child("any")


def test_require_scope_missing_scope_raises_forbidden() -> None:
    require_scope(PROVIDER, "provider:p-42")
    with pytest.raises(Forbidden, match="provider:p-43"):
        require_scope(PROVIDER, "provider:p-42", "provider:p-43")


def test_require_provider_other_provider_raises_forbidden() -> None:
    require_provider(PROVIDER, "p-42")
    with pytest.raises(Forbidden):
        require_provider(PROVIDER, "p-43")


def test_require_role_and_kind_refuse_parent_on_agent_endpoint() -> None:
    with pytest.raises(Forbidden):
        require_role(PARENT, Role.COMMUNE_AGENT, Role.CAE_AGENT)
    with pytest.raises(Forbidden):
        require_kind(PARENT, PrincipalKind.AGENT)
    require_kind(PARENT, PrincipalKind.PARENT)
