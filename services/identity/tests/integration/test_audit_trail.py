"""The audit rows of the counted account steps: a refused registration, login, refresh,
activation, office change, certificate or agent login leaves its failure row (committed with
the counters before the error answer)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from csa_identity.tables import audit_log
from csa_shared.runtime import ServiceRuntime

from .conftest import PASSWORD, Clock, card_for, last_sms_code, register
from .test_certificates_limits import certificate_pem, passed
from .test_parallel_limits import _cae_agent_login

pytestmark = pytest.mark.postgres

WRONG_CODE = "AAAA-BBBB-CCCC-DDDD"


async def _audit(runtime: ServiceRuntime, *actions: str) -> list[tuple[Any, ...]]:
    async with runtime.unit_of_work() as session:
        rows = await session.execute(
            select(audit_log.c.action, audit_log.c.outcome, audit_log.c.subject, audit_log.c.detail)
            .where(audit_log.c.action.in_(actions))
            .order_by(audit_log.c.id)
        )
        return [tuple(row) for row in rows]


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_registration_failures_are_audited_with_their_reason(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, linking = await card_for(api, identity, "child-1")
    body = {"iam_code": iam_code, "password": PASSWORD, "mobile": "+352 621 123 456"}
    refused = await api.post("/v1/registrations", json={**body, "linking_code": WRONG_CODE})
    assert (refused.status_code, refused.json()["error"]) == (422, "linking_code.rejected")
    started = await api.post("/v1/registrations", json={**body, "linking_code": linking})
    flow_id = started.json()["flow_id"]
    wrong = await api.post(
        "/v1/registrations/confirm",
        json={"flow_id": flow_id, "code": _wrong(await last_sms_code(api))},
    )
    assert wrong.status_code == 422, wrong.text
    expired = await api.post("/v1/registrations/confirm", json={"flow_id": "gone", "code": "1"})
    assert (expired.status_code, expired.json()["error"]) == (422, "otp.expired")

    assert await _audit(identity, "registration.start", "registration.confirm") == [
        ("registration.start", "failure", None, {"reason": "linking_code.rejected"}),
        ("registration.start", "success", "child-1", {}),
        ("registration.confirm", "failure", "child-1", {"reason": "otp.wrong"}),
    ]  # an unknown flow is refused without a row


async def test_login_and_refresh_failures_are_audited_on_the_account(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, tokens = await register(api, identity)
    account_id = identity.token_verifier.verify(tokens["access_token"]).subject
    wrong_password = await api.post("/v1/login", json={"iam_code": iam_code, "password": "x"})
    assert wrong_password.status_code == 401
    started = await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    code = await last_sms_code(api)
    flow = {"flow_id": started.json()["flow_id"]}
    assert (
        await api.post("/v1/login/complete", json={**flow, "code": _wrong(code)})
    ).status_code == 422
    assert (await api.post("/v1/login/complete", json={**flow, "code": code})).status_code == 200
    first = await api.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    reused = await api.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert (reused.status_code, reused.json()["error"]) == (401, "session.reused")

    actions = ("login.password", "login.otp", "login.success", "session.reuse")
    assert await _audit(identity, *actions) == [
        ("login.password", "failure", account_id, {"reason": "login.failed"}),
        ("login.password", "success", account_id, {}),
        ("login.otp", "failure", account_id, {}),
        ("login.success", "success", account_id, {}),
        ("session.reuse", "failure", account_id, {}),
    ]


async def test_activation_use_and_confirm_are_audited_with_and_without_a_reason(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, tokens = await register(api, identity)
    account_id = identity.token_verifier.verify(tokens["access_token"]).subject
    await api.post("/v1/activation-codes", json={"iam_code": iam_code})
    letter = next(x for x in (await api.get("/v1/dev/letters")).json() if x["kind"] == "activation")
    activation_code = re.search(r"[2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}", letter["body"]).group(0)
    body = {
        "iam_code": iam_code,
        "new_password": "violet-canal-ribbon-77",
        "mobile": "+352 691 222 333",
    }
    unknown = await api.post(
        "/v1/activation-codes/use",
        json={**body, "iam_code": "ZzzZz999", "activation_code": WRONG_CODE},
    )
    assert unknown.status_code == 422
    wrong = await api.post("/v1/activation-codes/use", json={**body, "activation_code": WRONG_CODE})
    assert wrong.status_code == 422
    started = await api.post(
        "/v1/activation-codes/use", json={**body, "activation_code": activation_code}
    )
    assert started.status_code == 202, started.text
    flow = {"flow_id": started.json()["flow_id"]}
    code = await last_sms_code(api)
    assert (
        await api.post("/v1/activation-codes/confirm", json={**flow, "code": _wrong(code)})
    ).status_code == 422
    assert (
        await api.post("/v1/activation-codes/confirm", json={**flow, "code": code})
    ).status_code == 204

    rejected = {"reason": "activation_code.rejected"}
    assert await _audit(identity, "activation.use", "activation.confirm") == [
        ("activation.use", "failure", None, rejected),
        ("activation.use", "failure", account_id, rejected),
        ("activation.use", "success", account_id, {"reason": None}),
        ("activation.confirm", "failure", account_id, {}),
        ("activation.confirm", "success", account_id, {}),
    ]


async def test_office_change_and_certificate_and_agent_logins_leave_one_row_per_attempt(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, tokens = await register(api, identity)
    account_id = identity.token_verifier.verify(tokens["access_token"]).subject
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = {"current_password": "not-the-password-x", "new_password": "violet-canal-ribbon-77"}
    assert (await api.post("/v1/me/password", json=body, headers=auth)).status_code == 403
    body["current_password"] = PASSWORD
    started = await api.post("/v1/me/password", json=body, headers=auth)
    flow = {"flow_id": started.json()["flow_id"]}
    code = await last_sms_code(api)
    for wrong in ({**flow, "code": _wrong(code)}, {"flow_id": "gone", "code": code}):
        refused = await api.post("/v1/me/changes/confirm", json=wrong, headers=auth)
        assert refused.status_code == 422
    done = await api.post("/v1/me/changes/confirm", json={**flow, "code": code}, headers=auth)
    assert done.status_code == 200, done.text

    pem = certificate_pem("Anne Muster", clock.now)
    added = await api.post("/v1/me/certificates", json={"pem": pem}, headers=auth)
    assert added.status_code == 201
    login = {"iam_code": iam_code, "password": "violet-canal-ribbon-77"}
    other = passed(certificate_pem("Mallory", clock.now))
    assert (await api.post("/v1/login/certificate", json=login, headers=other)).status_code == 401
    assert (
        await api.post("/v1/login/certificate", json=login, headers=passed(pem))
    ).status_code == 200

    agent = await _cae_agent_login(identity, clock)
    refused = await api.post("/v1/agents/login", json={**agent, "password": "x" * 20})
    assert refused.status_code == 401
    assert (await api.post("/v1/agents/login", json=agent)).status_code == 200

    office = ("office.password", "office.password.confirm", "office.change.confirm")
    assert await _audit(identity, *office, "login.certificate", "agent.login") == [
        ("office.password", "failure", account_id, {}),
        ("office.password", "success", account_id, {}),
        ("office.password.confirm", "failure", account_id, {}),
        ("office.password.confirm", "success", account_id, {}),
        ("login.certificate", "failure", account_id, {}),
        ("login.certificate", "success", account_id, {}),
        ("agent.login", "failure", "cae-agent", {}),
        ("agent.login", "success", "cae-agent", {}),
    ]  # an unknown change flow is refused without a row
