"""Registration and login through HTTP on PostgreSQL, OTPs read from the SMS sink."""

from __future__ import annotations

import httpx
import pytest

from csa_shared.auth import TokenVerifier
from csa_shared.events import parse_event
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import emitted

from .conftest import PASSWORD, Clock, card_for, last_sms_code, register

pytestmark = pytest.mark.postgres


async def _login(api: httpx.AsyncClient, iam_code: str, password: str = PASSWORD) -> httpx.Response:
    return await api.post("/v1/login", json={"iam_code": iam_code, "password": password})


async def test_register_then_login_gives_tokens_that_verify_against_the_jwks(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, _tokens = await register(api, identity)
    started = await _login(api, iam_code.lower())
    assert started.status_code == 202
    assert started.json()["sent_to"].endswith("456")
    code = await last_sms_code(api)
    done = await api.post(
        "/v1/login/complete", json={"flow_id": started.json()["flow_id"], "code": code}
    )
    assert done.status_code == 200, done.text
    jwks = (await api.get("/.well-known/jwks.json")).json()
    verifier = TokenVerifier(
        jwks, issuer="https://identity.csa.lu", audience="csa-billing", clock=clock
    )
    principal = verifier.verify(done.json()["access_token"])
    assert principal.kind == "parent"
    assert principal.children == frozenset({"child-1"})
    assert identity.settings.jwks_file.exists()


async def test_a_parent_of_a_portuguese_contract_gets_the_registration_sms_in_portuguese(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    await register(api, identity, "child-pt", language="pt")  # the OTP is read from the SMS
    sms = (await api.get("/v1/dev/sms")).json()[0]["body"]
    code = await last_sms_code(api)
    assert sms == (
        f"O seu código CSA: {code}. É válido durante 60 segundos. Não o partilhe com ninguém."
    )


async def test_wrong_then_expired_then_reused_otp_are_refused(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, _ = await register(api, identity)
    flow = (await _login(api, iam_code)).json()["flow_id"]
    code = await last_sms_code(api)
    wrong = "000000" if code != "000000" else "111111"
    refused = await api.post("/v1/login/complete", json={"flow_id": flow, "code": wrong})
    assert (refused.status_code, refused.json()["error"]) == (422, "otp.wrong")
    clock.advance(seconds=61)
    expired = await api.post("/v1/login/complete", json={"flow_id": flow, "code": code})
    assert (expired.status_code, expired.json()["error"]) == (422, "otp.expired")
    flow = (await _login(api, iam_code)).json()["flow_id"]
    code = await last_sms_code(api)
    assert (
        await api.post("/v1/login/complete", json={"flow_id": flow, "code": code})
    ).status_code == 200
    reused = await api.post("/v1/login/complete", json={"flow_id": flow, "code": code})
    assert reused.status_code == 422


async def test_unknown_iam_code_and_wrong_password_answer_alike(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, _ = await register(api, identity)
    unknown = await _login(api, "ZzzZz999")
    wrong = await _login(api, iam_code, "not-the-password-at-all")
    assert unknown.status_code == wrong.status_code == 401
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    assert strip(unknown.json()) == strip(wrong.json())


async def test_five_wrong_passwords_lock_even_the_right_one_until_a_minute_passes(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, _ = await register(api, identity)
    for _ in range(5):
        assert (await _login(api, iam_code, "wrong-password-xyz")).status_code == 401
    assert (await _login(api, iam_code)).status_code == 401
    clock.advance(seconds=61)
    assert (await _login(api, iam_code)).status_code == 202


async def test_malformed_mobile_number_is_refused(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, linking = await card_for(api, identity, "child-9")
    answer = await api.post(
        "/v1/registrations",
        json={
            "iam_code": iam_code,
            "linking_code": linking,
            "password": PASSWORD,
            "mobile": "12ab",
        },
        headers={"Accept-Language": "en"},
    )
    assert (answer.status_code, answer.json()["error"]) == (422, "phone.invalid")


async def test_spent_linking_code_cannot_register_a_second_account(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, linking = await card_for(api, identity, "child-2")
    body = {
        "iam_code": iam_code,
        "linking_code": linking,
        "password": PASSWORD,
        "mobile": "+352621000111",
    }
    flow = (await api.post("/v1/registrations", json=body)).json()["flow_id"]
    code = await last_sms_code(api)
    assert (
        await api.post("/v1/registrations/confirm", json={"flow_id": flow, "code": code})
    ).status_code == 201
    again = await api.post("/v1/registrations", json=body)
    assert (again.status_code, again.json()["error"]) == (422, "linking_code.rejected")


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_session(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    _, tokens = await register(api, identity)
    first = tokens["refresh_token"]
    rotated = await api.post("/v1/sessions/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    reused = await api.post("/v1/sessions/refresh", json={"refresh_token": first})
    assert (reused.status_code, reused.json()["error"]) == (401, "session.reused")
    revoked = await api.post("/v1/sessions/refresh", json={"refresh_token": second})
    assert revoked.status_code == 401


async def test_logout_revokes_the_refresh_token(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    _, tokens = await register(api, identity)
    assert (
        await api.post("/v1/logout", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 204
    after = await api.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert after.status_code == 401


async def test_registration_emits_account_created_and_child_attached(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    _iam_code, tokens = await register(api, identity, "child-7")
    account_id = identity.token_verifier.verify(tokens["access_token"]).subject
    messages = await emitted(identity)
    events = {event.type: (m, event) for m in messages for event in [parse_event(m.value)]}
    message, created = events["lu.csa.identity.account.created.v1"]
    assert (message.topic, message.key, created.subject) == (
        "csa.identity.events",
        account_id,
        account_id,
    )
    assert created.data["account_id"] == account_id
    assert created.data["child_ids"] == ["child-7"]
    assert created.data["created_at"] == clock.now.isoformat()
    message, attached = events["lu.csa.identity.child.attached.v1"]
    assert attached.data["account_id"] == account_id
    assert attached.data["child_id"] == "child-7"
    assert message.topic == "csa.identity.events"
