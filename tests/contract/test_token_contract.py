"""identity → every other service: the access token is the contract (no service consumes
identity's events today). Tokens minted by the real identity app (its keys, its claim
builders, its HTTP endpoints) must verify at the shared verifier with the claims the other
services rely on: ``sub``, ``aud`` (every service), ``kind``, ``roles``, ``scope``,
``children``, ``provider_id``, ``commune``, ``office``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pyotp
import pytest

from csa_identity.accounts.common import access_token
from csa_identity.app import definition
from csa_identity.context import identity_of
from csa_identity.domain.accounts import ChildLink, ParentAccount
from csa_identity.domain.passwords import CHEAP_ARGON2_FOR_TESTS, PasswordHasher
from csa_identity.domain.principals import AgentKind
from csa_identity.principals import service
from csa_shared.auth import PrincipalKind, TokenVerifier
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import SERVICES, Settings, audience_of

PASSWORD = "lilac-harbour-tandem-42"


@pytest.fixture
async def identity(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    runtime = definition.build_runtime(Settings(CSA_VAR_DIR=str(tmp_path)), subscribe=False)
    identity_of(runtime).password_hasher = PasswordHasher(CHEAP_ARGON2_FOR_TESTS)
    await runtime.start(migrate=True)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def api(identity: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition.create_app(identity, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
        yield client


async def verifiers(api: httpx.AsyncClient, identity: ServiceRuntime) -> dict[str, TokenVerifier]:
    jwks: dict[str, Any] = (await api.get("/.well-known/jwks.json")).json()
    return {
        name: TokenVerifier(jwks, issuer=identity.settings.token_issuer, audience=audience_of(name))
        for name in SERVICES
    }


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


async def test_parent_token_carries_children_and_reaches_every_service(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    context = identity_of(identity)
    keys = await context.keys.key_set()
    now = context.now()
    account = ParentAccount(
        account_id="acc-1",
        password_hash="unused",
        mobile="+352621123456",
        children=(ChildLink("child-a", "MusMa123", now), ChildLink("child-b", "MusLe456", now)),
        created_at=now,
        sessions_valid_after=now,
    )
    token = access_token(account, context, keys, context.now())
    claims = claims_of(token)
    assert set(claims) >= {"iss", "sub", "aud", "exp", "iat", "jti", "kind", "roles", "scope"}
    assert sorted(claims["aud"]) == sorted(audience_of(s) for s in SERVICES)
    for verifier in (await verifiers(api, identity)).values():
        principal = verifier.verify(token)
        assert principal.kind is PrincipalKind.PARENT
        assert principal.subject == "acc-1"
        assert "parent" in principal.roles
        assert {"children:read", "invoices:read"} <= principal.scopes
        assert principal.children == {"child-a", "child-b"}


async def test_provider_token_from_client_credentials_names_its_provider(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    client, secret = await service.create_client(identity, provider_id="prov-7")
    issued = await api.post(
        "/v1/oauth/token",
        content=f"grant_type=client_credentials&client_id={client.client_id}"
        f"&client_secret={secret}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    for name, verifier in (await verifiers(api, identity)).items():
        principal = verifier.verify(token)
        assert principal.kind is PrincipalKind.PROVIDER, name
        assert principal.provider_id == "prov-7"
        assert "provider:prov-7" in principal.scopes
        assert principal.children == frozenset()


async def test_commune_agent_token_is_scoped_to_its_commune(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    _agent, uri = await service.create_agent(
        identity, agent_id="agent-esch", kind=AgentKind.COMMUNE, password=PASSWORD, commune="esch"
    )
    code = pyotp.parse_uri(uri).now()
    issued = await api.post(
        "/v1/agents/login", json={"agent_id": "agent-esch", "password": PASSWORD, "totp": code}
    )
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    for verifier in (await verifiers(api, identity)).values():
        principal = verifier.verify(token)
        assert principal.kind is PrincipalKind.AGENT
        assert principal.commune == "esch"
        assert principal.roles
