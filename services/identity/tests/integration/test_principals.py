"""Provider clients, agents (password + TOTP) and the duplicate card, through HTTP."""

from __future__ import annotations

import base64

import httpx
import pyotp
import pytest

from csa_identity.domain.principals import AgentKind
from csa_identity.principals import service
from csa_shared.auth import TokenVerifier
from csa_shared.runtime import ServiceRuntime

from .conftest import PASSWORD, Clock, card_for, last_sms_code, linking_code_of

pytestmark = pytest.mark.postgres

AGENT_PASSWORD = "granite-meadow-falcon-19"


async def _agent(
    api: httpx.AsyncClient, runtime: ServiceRuntime, clock: Clock, kind: AgentKind, **scope: str
) -> tuple[pyotp.TOTP, dict[str, str]]:
    """Bootstrap an agent as ``csa identity create-agent`` does; log in with its TOTP."""
    agent_id = f"{kind.value}-agent"
    _agent, uri = await service.create_agent(
        runtime, agent_id=agent_id, kind=kind, password=AGENT_PASSWORD, **scope
    )
    totp = pyotp.parse_uri(uri)
    answer = await api.post(
        "/v1/agents/login",
        json={"agent_id": agent_id, "password": AGENT_PASSWORD, "totp": totp.at(clock.now)},
    )
    assert answer.status_code == 200, answer.text
    return totp, {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_agent_totp_login_gives_scoped_roles_and_a_replayed_code_is_refused(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    totp, headers = await _agent(api, identity, clock, AgentKind.COMMUNE, commune="esch")
    principal = identity.token_verifier.verify(headers["Authorization"][7:])
    assert (principal.kind, principal.commune) == ("agent", "esch")
    assert principal.roles == frozenset({"commune-agent"})
    body = {"agent_id": "commune-agent", "password": AGENT_PASSWORD, "totp": totp.at(clock.now)}
    replayed = await api.post("/v1/agents/login", json=body)
    assert replayed.status_code == 401
    clock.advance(seconds=30)
    wrong_password = {**body, "password": "wrong-wrong-wrong", "totp": totp.at(clock.now)}
    assert (await api.post("/v1/agents/login", json=wrong_password)).status_code == 401
    clock.advance(seconds=30)
    fresh = await api.post("/v1/agents/login", json={**body, "totp": totp.at(clock.now)})
    assert fresh.status_code == 200
    # a commune agent is no administrator
    refused = await api.post(
        "/v1/admin/provider-clients", json={"provider_id": "prov-1"}, headers=headers
    )
    assert refused.status_code == 403


async def test_client_credentials_token_verifies_for_attendance_and_a_wrong_secret_is_refused(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    _, admin = await _agent(api, identity, clock, AgentKind.CAE, office="cae-lux")
    created = await api.post(
        "/v1/admin/provider-clients",
        json={"provider_id": "prov-42", "client_id": "prov-42-app"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    secret = created.json()["client_secret"]
    form = {"grant_type": "client_credentials", "client_id": "prov-42-app", "client_secret": secret}
    issued = await api.post("/v1/oauth/token", data=form)
    assert issued.status_code == 200, issued.text
    assert issued.json()["scope"] == "provider:prov-42"
    jwks = (await api.get("/.well-known/jwks.json")).json()
    verifier = TokenVerifier(
        jwks, issuer=identity.settings.token_issuer, audience="csa-attendance", clock=clock
    )
    principal = verifier.verify(issued.json()["access_token"])
    assert (principal.kind, principal.provider_id) == ("provider", "prov-42")
    assert principal.has_scope("provider:prov-42")

    basic = base64.b64encode(f"prov-42-app:{secret}".encode()).decode()
    via_basic = await api.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert via_basic.status_code == 200
    assert via_basic.headers["cache-control"] == "no-store"


async def test_token_errors_are_rfc_6749_error_responses(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    _, admin = await _agent(api, identity, clock, AgentKind.CAE, office="cae-lux")
    created = await api.post(
        "/v1/admin/provider-clients",
        json={"provider_id": "prov-42", "client_id": "prov-42-app"},
        headers=admin,
    )
    secret = created.json()["client_secret"]
    form = {"grant_type": "client_credentials", "client_id": "prov-42-app", "client_secret": secret}

    async def refused(data: dict[str, str], **headers: str) -> tuple[int, str, httpx.Response]:
        answer = await api.post("/v1/oauth/token", data=data, headers=headers)
        assert answer.headers["content-type"] == "application/json", answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert answer.json()["error_description"]
        return answer.status_code, answer.json()["error"], answer

    status, error, wrong = await refused({**form, "client_secret": "X" * 35})
    assert (status, error) == (401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert (await refused({**form, "client_id": "nobody"}))[:2] == (401, "invalid_client")
    malformed = {"Authorization": "Basic !!!"}
    assert (await refused({"grant_type": "client_credentials"}, **malformed))[:2] == (
        401,
        "invalid_client",
    )
    assert (await refused({**form, "grant_type": "password"}))[:2] == (
        400,
        "unsupported_grant_type",
    )
    assert (await refused({"client_id": "prov-42-app"}))[:2] == (400, "invalid_request")
    basic = base64.b64encode(f"prov-42-app:{secret}".encode()).decode()
    both = await refused(form, Authorization=f"Basic {basic}")
    assert both[:2] == (400, "invalid_request")


async def test_authorization_server_metadata_names_the_token_endpoint_and_the_keys(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    metadata = (await api.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == identity.settings.token_issuer
    assert metadata["token_endpoint"].endswith("/v1/oauth/token")
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert "client_secret_basic" in metadata["token_endpoint_auth_methods_supported"]
    keys = await api.get(metadata["jwks_uri"].removeprefix(str(api.base_url).rstrip("/")))
    assert keys.status_code == 200 and keys.json()["keys"]
    assert {key["alg"] for key in keys.json()["keys"]} == {"EdDSA"}


async def test_openid_configuration_is_the_same_metadata_with_the_oidc_members(
    api: httpx.AsyncClient,
) -> None:
    oauth = (await api.get("/.well-known/oauth-authorization-server")).json()
    answer = await api.get("/.well-known/openid-configuration")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    openid = answer.json()
    assert {k: v for k, v in openid.items() if k in oauth} == oauth
    # the members OpenID Connect Discovery 1.0 §3 requires beside RFC 8414's
    assert openid["subject_types_supported"] == ["public"]
    assert openid["id_token_signing_alg_values_supported"] == ["EdDSA"]  # the key of the tests
    assert {"issuer", "jwks_uri", "response_types_supported"} <= set(openid)


async def test_duplicate_card_keeps_the_iam_code_and_invalidates_the_old_linking_code(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, old_linking = await card_for(api, identity, "child-7")
    _, admin = await _agent(api, identity, clock, AgentKind.CAE, office="cae-lux")
    duplicated = await api.post("/v1/admin/cards/child-7/duplicate", headers=admin)
    assert duplicated.status_code == 201, duplicated.text
    assert duplicated.json() == {"child_id": "child-7", "iam_code": iam_code, "duplicate_number": 1}
    assert (await api.post("/v1/admin/cards/nobody/duplicate", headers=admin)).status_code == 404
    letters = (await api.get("/v1/dev/letters")).json()
    new_linking = linking_code_of(letters[0]["body"])
    assert letters[0]["child_id"] == "child-7" and new_linking != old_linking
    body = {"iam_code": iam_code, "password": PASSWORD, "mobile": "+352 621 555 777"}
    old = await api.post("/v1/registrations", json={**body, "linking_code": old_linking})
    assert (old.status_code, old.json()["error"]) == (422, "linking_code.rejected")
    new = await api.post("/v1/registrations", json={**body, "linking_code": new_linking})
    assert new.status_code == 202
    code = await last_sms_code(api)
    done = await api.post(
        "/v1/registrations/confirm", json={"flow_id": new.json()["flow_id"], "code": code}
    )
    assert done.status_code == 201
    parent = {"Authorization": f"Bearer {done.json()['access_token']}"}
    assert (await api.post("/v1/admin/cards/child-7/duplicate", headers=parent)).status_code == 403
