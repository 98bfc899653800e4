"""Principals other than parents: provider systems and agents.

Provider systems use OAuth2 client credentials: a client id and a generated secret (stored
as an HMAC digest, ``codes.CodeHasher``); their token is scoped ``provider:<provider_id>``.
Agents (commune, CAE, Dageselteren agency, privacy officer) log in with password + TOTP
authenticator code (pyotp TOTP, 30 s steps, ``valid_window=1``); a code is accepted once
(no replay within its window). Failures lock out like parents' (``lockout.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

import pyotp

from csa_identity.domain.codes import CodeHasher, RandomBelow, generate_code
from csa_identity.domain.errors import IdentityError, InvalidClientCredentials, LoginFailed
from csa_identity.domain.instants import require_aware
from csa_identity.domain.lockout import (
    FailureCounter,
    LockoutPolicy,
    record_failure,
    record_success,
)
from csa_identity.domain.passwords import PasswordHasher
from csa_identity.domain.tokens import AccessClaims
from csa_shared.auth import PrincipalKind, Role, provider_scope


@dataclass(frozen=True, slots=True)
class ProviderClient:
    client_id: str
    provider_id: str
    secret_hash: str = field(repr=False)
    active: bool = True


def new_client_secret(*, randbelow: RandomBelow = secrets.randbelow) -> str:
    """A 32-symbol secret (≈ 158 bits), shown once to the provider's administrator."""
    return generate_code(randbelow=randbelow, length=32, group=8)


def authenticate_client(
    client: ProviderClient | None, secret: str, *, hasher: CodeHasher
) -> ProviderClient:
    """Client-credentials grant: one error for unknown client, wrong secret or inactive."""
    if client is None or not client.active or not hasher.verify(secret, client.secret_hash):
        raise InvalidClientCredentials("invalid client")
    return client


def provider_access_claims(client: ProviderClient, *, audience: Sequence[str]) -> AccessClaims:
    return AccessClaims(
        subject=client.client_id,
        kind=PrincipalKind.PROVIDER,
        audience=tuple(audience),
        roles=(Role.PROVIDER_SYSTEM.value,),
        scopes=(provider_scope(client.provider_id),),
        provider_id=client.provider_id,
    )


class AgentKind(StrEnum):
    COMMUNE = "commune"
    CAE = "cae"
    DAGESELTEREN = "dageselteren"
    PRIVACY_OFFICER = "privacy-officer"


_AGENT_ROLE = {
    AgentKind.COMMUNE: Role.COMMUNE_AGENT,
    AgentKind.CAE: Role.CAE_AGENT,
    AgentKind.DAGESELTEREN: Role.DAGESELTEREN_AGENT,
    AgentKind.PRIVACY_OFFICER: Role.PRIVACY_OFFICER,
}


@dataclass(frozen=True, slots=True)
class Agent:
    agent_id: str
    kind: AgentKind
    password_hash: str = field(repr=False)
    totp_secret: str = field(repr=False)
    commune: str | None = None
    office: str | None = None
    failures: FailureCounter = field(default_factory=FailureCounter)
    last_totp_step: int = -1

    def __post_init__(self) -> None:
        if self.kind is AgentKind.COMMUNE and not self.commune:
            raise ValueError("a commune agent is scoped to a commune")


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(agent: Agent, *, issuer: str = "CSA Staark Kanner") -> str:
    """For the authenticator app's QR code."""
    return pyotp.TOTP(agent.totp_secret).provisioning_uri(name=agent.agent_id, issuer_name=issuer)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret, interval=30)
    step = totp.timecode(now)
    for offset in (-1, 0, 1):  # valid_window=1
        if pyotp.utils.strings_equal(code, totp.at(now, counter_offset=offset)):
            return step + offset
    return None


@dataclass(frozen=True, slots=True)
class AgentLogin:
    agent: Agent | None
    error: IdentityError | None = None


def authenticate_agent(
    agent: Agent | None,
    *,
    password: str,
    totp_code: str,
    now: datetime,
    hasher: PasswordHasher,
    lockout: LockoutPolicy,
) -> AgentLogin:
    """Password and TOTP in one step; every failure is ``LoginFailed`` and counts once."""
    require_aware(now)
    password_ok = hasher.verify(agent.password_hash if agent else None, password)
    if agent is None:
        return AgentLogin(None, LoginFailed("login failed"))
    if agent.failures.is_locked(now):
        return AgentLogin(agent, LoginFailed("login failed"))
    step = _matching_step(agent.totp_secret, totp_code.strip(), now)
    if not password_ok or step is None or step <= agent.last_totp_step:
        failures = record_failure(agent.failures, now=now, policy=lockout)
        return AgentLogin(replace(agent, failures=failures), LoginFailed("login failed"))
    return AgentLogin(replace(agent, failures=record_success(agent.failures), last_totp_step=step))


def agent_access_claims(agent: Agent, *, audience: Sequence[str]) -> AccessClaims:
    role = _AGENT_ROLE[agent.kind]
    return AccessClaims(
        subject=agent.agent_id,
        kind=PrincipalKind.AGENT,
        audience=tuple(audience),
        roles=(role.value,),
        scopes=(f"agent:{agent.kind.value}",),
        commune=agent.commune,
        office=agent.office,
    )
