"""Who may act on which contract: agents by the commune/office claim of their token."""

from __future__ import annotations

from csa_membership.contracts.repository import Stored, commune_key
from csa_membership.domain.application import Agent, AgentKind
from csa_shared.auth import Forbidden, Principal, PrincipalKind, Role

DEFAULT_CAE_OFFICE = "cae"


def agent_of(principal: Principal) -> Agent:
    """The filing agent of a commune-agent or CAE-agent token, else 403."""
    if principal.kind is PrincipalKind.AGENT:
        if principal.has_role(Role.CAE_AGENT):
            return Agent(principal.subject, AgentKind.CAE)
        if principal.has_role(Role.COMMUNE_AGENT) and principal.commune:
            return Agent(principal.subject, AgentKind.COMMUNE, principal.commune)
    raise Forbidden("only commune agents and CAE agents handle membership contracts")


def scope_of(principal: Principal) -> tuple[str | None, str | None]:
    """(commune, office) a new contract filed by this agent belongs to."""
    agent = agent_of(principal)
    if agent.kind is AgentKind.CAE:
        return None, principal.office or DEFAULT_CAE_OFFICE
    return agent.commune, None


def _agent_sees(principal: Principal, stored: Stored) -> bool:
    agent = agent_of(principal)
    if agent.kind is AgentKind.CAE:
        return stored.office == (principal.office or DEFAULT_CAE_OFFICE)
    return commune_key(stored.commune or "") == commune_key(agent.commune or "")


def require_agent_scope(principal: Principal, stored: Stored) -> None:
    """An agent acts only on contracts of their commune (commune agent) or office (CAE)."""
    if not _agent_sees(principal, stored):
        raise Forbidden("this contract belongs to another commune or office")


def require_reader(principal: Principal, stored: Stored) -> None:
    """Agents of the contract's commune/office, and parents of the attached child."""
    if principal.kind is PrincipalKind.PARENT:
        if stored.contract.child_id not in principal.children:
            raise Forbidden("this child is not attached to your account")
        return
    require_agent_scope(principal, stored)
