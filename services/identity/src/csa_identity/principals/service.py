"""Use cases: client-credentials tokens, agent login, and registering clients and agents."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from csa_identity.adapters.audit import audit
from csa_identity.attempts import counted_attempt
from csa_identity.cards import service as cards
from csa_identity.context import identity_of
from csa_identity.domain.errors import InvalidClientCredentials
from csa_identity.domain.mycard import IssuedCard
from csa_identity.domain.passwords import check_new_password
from csa_identity.domain.principals import (
    Agent,
    AgentKind,
    ProviderClient,
    agent_access_claims,
    authenticate_agent,
    authenticate_client,
    new_client_secret,
    new_totp_secret,
    provider_access_claims,
    totp_provisioning_uri,
)
from csa_identity.domain.tokens import ACCESS_TOKEN_TTL, AccessClaims, sign_access_token
from csa_identity.principals import repository
from csa_shared.errors import Conflict, Unprocessable
from csa_shared.runtime import ServiceRuntime

EXPIRES_IN = int(ACCESS_TOKEN_TTL.total_seconds())


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


async def _sign(runtime: ServiceRuntime, claims: AccessClaims) -> IssuedToken:
    context = identity_of(runtime)
    keys = await context.keys.key_set()
    token = sign_access_token(claims, keys=keys, issuer=context.issuer, now=context.now())
    return IssuedToken(token, EXPIRES_IN, " ".join(claims.scopes))


async def client_credentials_token(
    runtime: ServiceRuntime, *, client_id: str, client_secret: str
) -> IssuedToken:
    context = identity_of(runtime)
    async with runtime.unit_of_work() as session:
        found = await repository.load_client(session, client_id)
        try:
            client = authenticate_client(found, client_secret, hasher=context.code_hasher)
        except InvalidClientCredentials:
            await audit(
                session, "client.token", now=context.now(), outcome="failure", subject=client_id
            )
            client = None
        else:
            await audit(session, "client.token", now=context.now(), subject=client_id)
    if client is None:
        raise InvalidClientCredentials("invalid client")
    return await _sign(runtime, provider_access_claims(client, audience=context.audiences))


async def agent_login(
    runtime: ServiceRuntime, *, agent_id: str, password: str, totp_code: str
) -> IssuedToken:
    """Password + TOTP; failures (and a replayed TOTP) are counted and saved before the 401."""
    context = identity_of(runtime)
    now = context.now()
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        agent = await repository.lock_agent(session, agent_id)
        step = authenticate_agent(
            agent,
            password=password,
            totp_code=totp_code,
            now=now,
            hasher=context.password_hasher,
            lockout=context.lockout,
        )
        if step.agent is not None:
            await repository.save_agent_state(session, step.agent)
        if step.error is not None or step.agent is None:
            failure = step.error or InvalidClientCredentials("login failed")
            await attempt.refuse_audited(failure, "agent.login", subject=agent_id)
        await audit(session, "agent.login", now=now, subject=agent_id)
        authenticated = step.agent
    return await _sign(runtime, agent_access_claims(authenticated, audience=context.audiences))


async def create_client(
    runtime: ServiceRuntime, *, provider_id: str, client_id: str | None = None
) -> tuple[ProviderClient, str]:
    """A provider system's client; the secret is returned here only (stored as HMAC)."""
    context = identity_of(runtime)
    now = context.now()
    secret = new_client_secret()
    client = ProviderClient(
        client_id=client_id or f"{provider_id}-{secrets.token_hex(4)}",
        provider_id=provider_id,
        secret_hash=context.code_hasher.hash(secret),
    )
    async with runtime.unit_of_work() as session:
        if not await repository.insert_client(session, client, now=now):
            raise Conflict(f"client {client.client_id} exists")
        await audit(session, "client.create", now=now, subject=client.client_id)
    return client, secret


async def create_agent(
    runtime: ServiceRuntime,
    *,
    agent_id: str,
    kind: AgentKind,
    password: str,
    commune: str | None = None,
    office: str | None = None,
) -> tuple[Agent, str]:
    """An agent with a fresh TOTP secret; the provisioning URI is returned here only."""
    context = identity_of(runtime)
    now = context.now()
    accepted = check_new_password(password, policy=context.password_policy, iam_codes=())
    try:
        agent = Agent(
            agent_id=agent_id,
            kind=kind,
            password_hash=context.password_hasher.hash(accepted),
            totp_secret=new_totp_secret(),
            commune=commune,
            office=office,
        )
    except ValueError as exc:
        raise Unprocessable(str(exc), code="agent-scope-missing") from exc
    async with runtime.unit_of_work() as session:
        if not await repository.insert_agent(session, agent, now=now):
            raise Conflict(f"agent {agent_id} exists")
        await audit(session, "agent.create", now=now, subject=agent_id, kind=kind.value)
    return agent, totp_provisioning_uri(agent)


async def duplicate_card(runtime: ServiceRuntime, *, child_id: str, agent_id: str) -> IssuedCard:
    """Lost card: same IAM code, new linking code (the old one stops working), new letter."""
    context = identity_of(runtime)
    async with runtime.unit_of_work() as session:
        issued = await cards.issue_duplicate_card(session, runtime, context, child_id=child_id)
        await audit(session, "card.duplicate", now=context.now(), subject=child_id, by=agent_id)
    return issued
