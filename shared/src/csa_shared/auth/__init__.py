"""Shared access-token verification: ``TokenVerifier`` -> ``Principal`` (FastAPI-free)."""

from csa_shared.auth.errors import AuthError, Forbidden, InvalidToken
from csa_shared.auth.principal import (
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
from csa_shared.auth.scope import agent_sees_provider, require_agent_sees_provider, same_commune
from csa_shared.auth.verifier import TokenVerifier, principal_from_claims

__all__ = [
    "AuthError",
    "Forbidden",
    "InvalidToken",
    "Principal",
    "PrincipalKind",
    "Role",
    "TokenVerifier",
    "agent_sees_provider",
    "principal_from_claims",
    "provider_scope",
    "require_agent_sees_provider",
    "require_child",
    "require_kind",
    "require_provider",
    "require_role",
    "require_scope",
    "same_commune",
]
