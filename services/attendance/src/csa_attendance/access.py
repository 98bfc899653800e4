"""Who may do what in the attendance service (claims from identity's tokens)."""

from __future__ import annotations

from csa_attendance.domain.providers import Provider
from csa_shared import errors
from csa_shared.auth import (
    Forbidden,
    Principal,
    PrincipalKind,
    Role,
    agent_sees_provider,
    provider_scope,
    require_agent_sees_provider,
)

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


def agent_sees(principal: Principal, provider: Provider) -> bool:
    """Whether ``principal`` is an agent whose scope holds ``provider`` (commune agents:
    their commune's providers; the Dageselteren agency: parental assistants; CAE: all)."""
    commune = provider.current.commune
    return is_agent(principal) and agent_sees_provider(principal, provider.provider_type, commune)


def require_agent_for(principal: Principal, provider: Provider) -> None:
    """An agent whose scope holds ``provider`` (403 otherwise)."""
    require_agent(principal)
    require_agent_sees_provider(principal, provider.provider_type, provider.current.commune)


def is_agency(principal: Principal) -> bool:
    return principal.kind is PrincipalKind.AGENT and principal.has_role(Role.DAGESELTEREN_AGENT)


def require_agency(principal: Principal) -> None:
    if not is_agency(principal):
        raise Forbidden("requires the Dageselteren agency")


def read_scope(
    principal: Principal, *, provider_id: str | None, child_id: str | None, what: str
) -> tuple[str | None, list[str] | None]:
    """The (provider, children) a read of declared records is limited to.

    A provider system reads its own records; a parent the records of the children on the
    token (another child: 403); an agent reads per provider (`provider_id` required: 422),
    of its scope (checked once the provider is loaded: `registry.service.require_agent_reads`).
    """
    children: list[str] | None = [child_id] if child_id else None
    if principal.kind is PrincipalKind.PARENT:
        if child_id and child_id not in principal.children:
            raise errors.Forbidden("this child is not visible to the caller")
        return provider_id, [c for c in (children or sorted(principal.children))]
    if is_agent(principal):
        if provider_id is None:
            raise errors.Unprocessable(f"agents list {what} per provider: give provider_id")
        return provider_id, children
    return provider_of(principal), children
