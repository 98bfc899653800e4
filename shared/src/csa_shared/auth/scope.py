"""Where an agent may act on a provider's records (issue 19 §3), for every service alike.

A commune agent acts on the providers located in the commune of its token's ``commune``
claim (compared case-insensitively, as membership compares the communes of contracts); the
Dageselteren agency acts on parental assistants only, wherever they work; a CAE agent acts
everywhere (it serves the non-residents, whose children attend providers in any commune).
A provider's commune is the one of its current terms.
"""

from __future__ import annotations

from csa_shared.auth.errors import Forbidden
from csa_shared.auth.principal import Principal, PrincipalKind, Role
from csa_shared.rules.parameters import ProviderType


def same_commune(first: str | None, second: str | None) -> bool:
    """Two commune names for the same commune (case-folded); an unknown commune is none."""
    if not first or not second:
        return False
    return first.casefold() == second.casefold()


def agent_sees_provider(principal: Principal, provider_type: ProviderType, commune: str) -> bool:
    """May this agent act on the records of a provider of ``provider_type`` in ``commune``?
    Any of the agent's roles that grants it is enough; a non-agent never passes here."""
    if principal.kind is not PrincipalKind.AGENT:
        return False
    if principal.has_role(Role.CAE_AGENT):
        return True
    if principal.has_role(Role.DAGESELTEREN_AGENT) and (
        provider_type is ProviderType.ASSISTANT_PARENTAL
    ):
        return True
    return principal.has_role(Role.COMMUNE_AGENT) and same_commune(principal.commune, commune)


def require_agent_sees_provider(
    principal: Principal, provider_type: ProviderType, commune: str
) -> None:
    """Raise ``Forbidden`` unless ``agent_sees_provider``; the message says which rule."""
    if agent_sees_provider(principal, provider_type, commune):
        return
    if principal.has_role(Role.COMMUNE_AGENT):
        raise Forbidden("this provider is in another commune than the agent's")
    if principal.has_role(Role.DAGESELTEREN_AGENT):
        raise Forbidden("the Dageselteren agency acts on parental assistants only")
    raise Forbidden("requires an agent competent for this provider")
