"""Every write endpoint read back at once (``csa_shared.testing.read_after_write``): the
account, its children and certificates, a token or code used right after it was issued,
an SMS or letter in the sinks. A commit that fails answers a problem, never a 2xx."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pyotp
import pytest

from csa_identity.app import definition
from csa_identity.domain.principals import AgentKind
from csa_identity.principals import service as principals
from csa_shared.http.problems import PROBLEM_JSON
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.commits import failing_commits
from csa_shared.testing.read_after_write import WriteCoverage, answer_first

from .conftest import PASSWORD, Clock, card_for, last_sms_code, linking_code_of, register
from .test_certificates_limits import certificate_pem, passed

pytestmark = pytest.mark.postgres

coverage = WriteCoverage()
NEW_PASSWORD = "violet-canal-ribbon-77"
ADMIN_PASSWORD = "granite-meadow-falcon-19"


@pytest.fixture
async def client(identity: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    app = definition.create_app(identity, manage_lifecycle=False)
    async with answer_first(app, "http://identity") as client:
        yield client


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> dict[str, Any]:
    me = await client.get("/v1/me", headers=bearer(tokens))
    assert me.status_code == 200, me.text
    body: dict[str, Any] = me.json()
    return body


async def _sms_count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/dev/sms")).json())


async def _refreshes(client: httpx.AsyncClient, tokens: dict[str, Any]) -> httpx.Response:
    return await client.post(
        "/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]}
    )


@coverage.covers(
    "POST /v1/registrations",
    "POST /v1/registrations/confirm",
    "POST /v1/login",
    "POST /v1/login/complete",
    "POST /v1/sessions/refresh",
    "POST /v1/logout",
)
async def test_sign_up_and_sessions_read_back_at_once(client, identity, clock: Clock) -> None:
    sent = await _sms_count(client)
    iam_code, tokens = await register(client, identity)  # reads each SMS code at once
    assert await _sms_count(client) == sent + 1
    assert [c["child_id"] for c in (await _me(client, tokens))["children"]] == ["child-1"]

    clock.advance(minutes=11)
    started = await client.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    assert started.status_code == 202, started.text
    assert await _sms_count(client) == sent + 2
    done = await client.post(
        "/v1/login/complete",
        json={"flow_id": started.json()["flow_id"], "code": await last_sms_code(client)},
    )
    assert done.status_code == 200, done.text
    assert (await _me(client, done.json()))["children"]

    rotated = await _refreshes(client, done.json())
    assert rotated.status_code == 200, rotated.text
    again = await _refreshes(client, rotated.json())
    assert again.status_code == 200, again.text

    out = await client.post("/v1/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204, out.text
    assert (await _refreshes(client, tokens)).status_code == 401


@coverage.covers(
    "POST /v1/activation-codes",
    "POST /v1/activation-codes/use",
    "POST /v1/activation-codes/confirm",
)
async def test_activation_by_post_reads_back_at_once(client, identity, clock: Clock) -> None:
    iam_code, _ = await register(client, identity)
    asked = await client.post("/v1/activation-codes", json={"iam_code": iam_code})
    assert asked.status_code == 202, asked.text
    letters = (await client.get("/v1/dev/letters")).json()
    letter = next(x for x in letters if x["kind"] == "activation")
    activation_code = re.search(r"[2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}", letter["body"]).group(0)

    clock.advance(minutes=11)
    used = await client.post(
        "/v1/activation-codes/use",
        json={
            "iam_code": iam_code,
            "activation_code": activation_code,
            "new_password": NEW_PASSWORD,
            "mobile": "+352 691 222 333",
        },
    )
    assert used.status_code == 202, used.text
    sms = (await client.get("/v1/dev/sms")).json()[0]
    assert sms["phone"] == "+352691222333"
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    confirmed = await client.post(
        "/v1/activation-codes/confirm", json={"flow_id": used.json()["flow_id"], "code": code}
    )
    assert confirmed.status_code == 204, confirmed.text
    clock.advance(minutes=11)
    login = {"iam_code": iam_code, "password": NEW_PASSWORD}
    assert (await client.post("/v1/login", json=login)).status_code == 202


@coverage.covers(
    "POST /v1/me/password",
    "POST /v1/me/mobile",
    "POST /v1/me/changes/confirm",
    "PUT /v1/me/email",
)
async def test_the_virtual_office_reads_back_at_once(client, identity, clock: Clock) -> None:
    iam_code, tokens = await register(client, identity)
    put = await client.put(
        "/v1/me/email", json={"email": "anne@example.lu"}, headers=bearer(tokens)
    )
    assert put.status_code == 200, put.text
    assert (await _me(client, tokens))["email"] == "anne@example.lu"

    clock.advance(minutes=11)
    moving = await client.post(
        "/v1/me/mobile", json={"mobile": "+352 691 222 333"}, headers=bearer(tokens)
    )
    assert moving.status_code == 202, moving.text
    for phone in ("+352621123456", "+352691222333"):  # the old number, then the new one
        sms = (await client.get("/v1/dev/sms")).json()[0]
        assert sms["phone"] == phone
        code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
        step = await client.post(
            "/v1/me/changes/confirm",
            json={"flow_id": moving.json()["flow_id"], "code": code},
            headers=bearer(tokens),
        )
        assert step.status_code == 200, step.text
    assert (await _me(client, tokens))["mobile"].endswith("333")

    clock.advance(minutes=11)  # past the SMS limit; the access token is renewed
    tokens = (await _refreshes(client, tokens)).json()
    changing = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert changing.status_code == 202, changing.text
    done = await client.post(
        "/v1/me/changes/confirm",
        json={"flow_id": changing.json()["flow_id"], "code": await last_sms_code(client)},
        headers=bearer(tokens),
    )
    assert done.json() == {"completed": True, "next": None}
    assert (await _refreshes(client, tokens)).status_code == 401  # sessions revoked
    clock.advance(minutes=11)
    login = {"iam_code": iam_code, "password": NEW_PASSWORD}
    assert (await client.post("/v1/login", json=login)).status_code == 202


@coverage.covers(
    "POST /v1/me/children",
    "DELETE /v1/me/children/{child_id}",
    "POST /v1/me/certificates",
    "DELETE /v1/me/certificates/{fingerprint}",
    "POST /v1/login/certificate",
)
async def test_children_and_certificates_read_back_at_once(client, identity, clock) -> None:
    _, tokens = await register(client, identity)
    iam_2, linking_2 = await card_for(client, identity, "child-2", first_name="Léon")
    attach = {"iam_code": iam_2, "linking_code": linking_2}
    attached = await client.post("/v1/me/children", json=attach, headers=bearer(tokens))
    assert attached.status_code == 201, attached.text
    children = {c["child_id"] for c in (await _me(client, tokens))["children"]}
    assert children == {"child-1", "child-2"}
    detached = await client.delete("/v1/me/children/child-1", headers=bearer(tokens))
    assert detached.status_code == 204, detached.text
    assert [c["child_id"] for c in (await _me(client, tokens))["children"]] == ["child-2"]

    pem = certificate_pem("Anne Muster", clock.now)
    added = await client.post("/v1/me/certificates", json={"pem": pem}, headers=bearer(tokens))
    assert added.status_code == 201, added.text
    listed = (await client.get("/v1/me/certificates", headers=bearer(tokens))).json()
    assert listed == [added.json()]
    body = {"iam_code": iam_2, "password": PASSWORD}  # child-1's code left with child-1
    login = await client.post("/v1/login/certificate", json=body, headers=passed(pem))
    assert login.status_code == 200, login.text
    assert (await _refreshes(client, login.json())).status_code == 200
    path = f"/v1/me/certificates/{added.json()['sha256_fingerprint']}"
    assert (await client.delete(path, headers=bearer(tokens))).status_code == 204
    assert (await client.get("/v1/me/certificates", headers=bearer(tokens))).json() == []


@coverage.covers(
    "POST /v1/agents/login",
    "POST /v1/admin/agents",
    "POST /v1/admin/provider-clients",
    "POST /v1/oauth/token",
    "POST /v1/admin/cards/{child_id}/duplicate",
)
async def test_principals_and_cards_read_back_at_once(client, identity, clock: Clock) -> None:
    _, uri = await principals.create_agent(
        identity, agent_id="admin", kind=AgentKind.CAE, password=ADMIN_PASSWORD, office="cae"
    )
    totp = pyotp.parse_uri(uri)
    body = {"agent_id": "admin", "password": ADMIN_PASSWORD, "totp": totp.at(clock.now)}
    logged_in = await client.post("/v1/agents/login", json=body)
    assert logged_in.status_code == 200, logged_in.text
    assert (await client.post("/v1/agents/login", json=body)).status_code == 401  # code spent
    admin = bearer(logged_in.json())

    created = await client.post(
        "/v1/admin/agents",
        json={
            "agent_id": "esch-1",
            "kind": "commune",
            "password": ADMIN_PASSWORD,
            "commune": "Esch-sur-Alzette",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    new_totp = pyotp.parse_uri(created.json()["totp_provisioning_uri"])
    first = {"agent_id": "esch-1", "password": ADMIN_PASSWORD, "totp": new_totp.at(clock.now)}
    assert (await client.post("/v1/agents/login", json=first)).status_code == 200

    registered = await client.post(
        "/v1/admin/provider-clients",
        json={"provider_id": "prov-1", "client_id": "prov-1-app"},
        headers=admin,
    )
    assert registered.status_code == 201, registered.text
    form = {
        "grant_type": "client_credentials",
        "client_id": "prov-1-app",
        "client_secret": registered.json()["client_secret"],
    }
    issued = await client.post("/v1/oauth/token", data=form)
    assert issued.status_code == 200, issued.text
    principal = identity.token_verifier.verify(issued.json()["access_token"])
    assert principal.provider_id == "prov-1"

    iam_code, old_linking = await card_for(client, identity, "child-7")
    duplicated = await client.post("/v1/admin/cards/child-7/duplicate", headers=admin)
    assert duplicated.status_code == 201, duplicated.text
    assert duplicated.json()["iam_code"] == iam_code
    newest = (await client.get("/v1/dev/letters")).json()[0]
    assert newest["child_id"] == "child-7"
    assert linking_code_of(newest["body"]) != old_linking


@coverage.covers(
    "POST /v1/webhooks/subscriptions",
    "DELETE /v1/webhooks/subscriptions/{subscription_id}",
)
async def test_webhook_subscriptions_read_back_at_once(client, identity) -> None:
    _, secret = await principals.create_client(identity, provider_id="prov-1", client_id="app-1")
    form = {"grant_type": "client_credentials", "client_id": "app-1", "client_secret": secret}
    provider = bearer((await client.post("/v1/oauth/token", data=form)).json())
    body = {"url": "https://crechesoft.example.lu/hooks", "event_types": ["presence.recorded"]}
    created = await client.post("/v1/webhooks/subscriptions", json=body, headers=provider)
    assert created.status_code == 201, created.text
    path = f"/v1/webhooks/subscriptions/{created.json()['subscription_id']}"
    read = await client.get(path, headers=provider)
    assert read.status_code == 200 and read.json()["url"] == body["url"]
    assert (await client.delete(path, headers=provider)).status_code == 204
    assert (await client.get(path, headers=provider)).status_code == 404


async def test_a_commit_that_fails_answers_503_and_stores_nothing(client, identity) -> None:
    _, tokens = await register(client, identity)
    with failing_commits(identity.engine) as refused:
        put = await client.put(
            "/v1/me/email", json={"email": "lost@example.lu"}, headers=bearer(tokens)
        )
    assert refused
    assert (put.status_code, put.headers["content-type"]) == (503, PROBLEM_JSON)
    assert (await _me(client, tokens)).get("email") is None


def test_every_write_endpoint_is_read_back(identity: ServiceRuntime) -> None:
    coverage.assert_complete(definition.create_app(identity, manage_lifecycle=False))
