"""Who may do what in the attendance service (claims from identity's tokens)."""

from __future__ import annotations

from csa_shared.auth import Forbidden, Principal, PrincipalKind, Role, provider_scope

REGISTRY_ROLES = (Role.COMMUNE_AGENT, Role.CAE_AGENT, Role.DAGESELTEREN_AGENT)


def provider_of(principal: Principal) -> str:
    """The provider a provider-system token acts for; never taken from a request body."""
    pid = principal.provider_id
    if (
        principal.kind is not PrincipalKind.PROVIDER
        or not pid
        or not principal.has_scope(provider_scope(pid))
    ):
        raise Forbidden("requires a provider system token scoped to its provider")
    return pid


def is_agent(principal: Principal) -> bool:
    return principal.kind is PrincipalKind.AGENT and bool(principal.roles & set(REGISTRY_ROLES))


def require_agent(principal: Principal) -> None:
    """Commune / CAE agents and the Dageselteren agency manage the registry."""
    if not is_agent(principal):
        raise Forbidden("requires a commune, CAE or Dageselteren agent")


def is_agency(principal: Principal) -> bool:
    return principal.kind is PrincipalKind.AGENT and principal.has_role(Role.DAGESELTEREN_AGENT)


def require_agency(principal: Principal) -> None:
    if not is_agency(principal):
        raise Forbidden("requires the Dageselteren agency")
