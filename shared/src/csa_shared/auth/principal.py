"""Who is calling: the verified content of an access token.

Claims contract (issued by ``csa_identity.domain.tokens``):
``sub``, ``kind`` (parent | provider | agent | service), ``roles`` (list), ``scope``
(space-separated OAuth2 scopes), and per kind ``children`` (parent: child ids it may see),
``provider_id`` (provider), ``commune`` / ``office`` (agent).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from csa_shared.auth.errors import Forbidden


class PrincipalKind(StrEnum):
    PARENT = "parent"
    PROVIDER = "provider"
    AGENT = "agent"
    SERVICE = "service"


class Role(StrEnum):
    """Roles carried in the ``roles`` claim."""

    PARENT = "parent"
    PROVIDER_SYSTEM = "provider-system"
    COMMUNE_AGENT = "commune-agent"
    CAE_AGENT = "cae-agent"
    DAGESELTEREN_AGENT = "dageselteren-agent"
    PRIVACY_OFFICER = "privacy-officer"
    SERVICE = "service"


def provider_scope(provider_id: str) -> str:
    """The scope a provider system's token carries: ``provider:<provider_id>``."""
    return f"provider:{provider_id}"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: PrincipalKind
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    children: frozenset[str] = frozenset()
    provider_id: str | None = None
    commune: str | None = None
    office: str | None = None
    token_id: str | None = None

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def can_see_child(self, child_id: str, *, child_commune: str | None = None) -> bool:
        """May this principal see the data of ``child_id``? (csa-rules §9: a parent sees the
        children attached to the account; a commune agent the children of the commune.)

        Parents: only attached children. Commune agents: only when ``child_commune`` (given
        by the caller, who knows the child) is the agent's commune. CAE agents and internal
        services: every child. Providers: never through this check (their access goes through
        education contracts, checked by the attendance service).
        """
        if self.kind is PrincipalKind.PARENT:
            return child_id in self.children
        if self.kind is PrincipalKind.SERVICE:
            return True
        if self.kind is PrincipalKind.AGENT:
            if Role.CAE_AGENT in self.roles:
                return True
            if Role.COMMUNE_AGENT in self.roles:
                return self.commune is not None and child_commune == self.commune
        return False


def require_scope(principal: Principal, *scopes: str) -> None:
    """Raise ``Forbidden`` unless the principal holds every one of ``scopes``."""
    missing = [scope for scope in scopes if scope not in principal.scopes]
    if missing:
        raise Forbidden(f"missing scope(s): {' '.join(missing)}")


def require_role(principal: Principal, *roles: str) -> None:
    """Raise ``Forbidden`` unless the principal holds at least one of ``roles``."""
    if not principal.roles.intersection(roles):
        raise Forbidden(f"requires one of the roles: {' '.join(roles)}")


def require_kind(principal: Principal, *kinds: PrincipalKind) -> None:
    """Raise ``Forbidden`` unless the principal is of one of ``kinds``."""
    if principal.kind not in kinds:
        raise Forbidden(f"not allowed for a {principal.kind.value} principal")


def require_child(principal: Principal, child_id: str, *, child_commune: str | None = None) -> None:
    """Raise ``Forbidden`` unless the principal may see ``child_id``."""
    if not principal.can_see_child(child_id, child_commune=child_commune):
        raise Forbidden("this child is not visible to the caller")


def require_data_subject_access(principal: Principal, child_id: str) -> None:
    """Right of access (GDPR art. 15): a parent whose token lists ``child_id``, or a privacy
    officer (an agent with the ``privacy-officer`` role); everyone else gets ``Forbidden``."""
    if principal.kind is PrincipalKind.PARENT and child_id in principal.children:
        return
    if principal.kind is PrincipalKind.AGENT and Role.PRIVACY_OFFICER in principal.roles:
        return
    raise Forbidden("only the child's parent or a privacy officer may export its personal data")


def require_privacy_officer(principal: Principal) -> None:
    """Raise ``Forbidden`` unless this is an agent with the ``privacy-officer`` role."""
    if principal.kind is not PrincipalKind.AGENT or Role.PRIVACY_OFFICER not in principal.roles:
        raise Forbidden("only a privacy officer may do this")


def require_provider(principal: Principal, provider_id: str) -> None:
    """Raise ``Forbidden`` unless this is the provider system of ``provider_id``."""
    if principal.provider_id != provider_id or not principal.has_scope(provider_scope(provider_id)):
        raise Forbidden("token is not scoped to this provider")
