"""Virtual office and activation by post, through HTTP on PostgreSQL (SMS read from the sink)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from csa_identity.tables import audit_log
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import emitted_documents

from .conftest import PASSWORD, Clock, card_for, last_sms_code, register

pytestmark = pytest.mark.postgres

NEW_PASSWORD = "violet-canal-ribbon-77"


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _sms(api: httpx.AsyncClient) -> dict[str, Any]:
    latest: dict[str, Any] = (await api.get("/v1/dev/sms")).json()[0]
    return latest


async def _login(api: httpx.AsyncClient, iam_code: str, password: str) -> httpx.Response:
    started = await api.post("/v1/login", json={"iam_code": iam_code, "password": password})
    if started.status_code != 202:
        return started
    code = await last_sms_code(api)
    return await api.post(
        "/v1/login/complete", json={"flow_id": started.json()["flow_id"], "code": code}
    )


async def test_activation_by_post_resets_password_and_mobile_and_revokes_sessions(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, tokens = await register(api, identity)
    unknown = await api.post("/v1/activation-codes", json={"iam_code": "ZzzZz999"})
    known = await api.post("/v1/activation-codes", json={"iam_code": iam_code})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    again = await api.post("/v1/activation-codes", json={"iam_code": iam_code})
    assert again.json() == known.json()
    kinds = [x["kind"] for x in (await api.get("/v1/dev/letters")).json()]
    assert kinds.count("activation") == 1  # one letter a day while the code is unused
    letter = next(x for x in (await api.get("/v1/dev/letters")).json() if x["kind"] == "activation")
    assert letter["recipient"]["address"]["line"] == "12, rue de la Gare"
    activation_code = re.search(r"[2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}", letter["body"]).group(0)
    assert "2026-10-01" in letter["body"]  # 30 days

    body = {
        "iam_code": iam_code,
        "activation_code": "AAAA-BBBB-CCCC-DDDD",
        "new_password": NEW_PASSWORD,
        "mobile": "+352 691 222 333",
    }
    wrong = await api.post("/v1/activation-codes/use", json=body)
    assert (wrong.status_code, wrong.json()["error"]) == (422, "activation_code.rejected")
    started = await api.post(
        "/v1/activation-codes/use", json={**body, "activation_code": activation_code}
    )
    assert started.status_code == 202, started.text
    sms = await _sms(api)
    assert sms["phone"] == "+352691222333"
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    clock.advance(seconds=20)
    done = await api.post(
        "/v1/activation-codes/confirm", json={"flow_id": started.json()["flow_id"], "code": code}
    )
    assert done.status_code == 204, done.text

    old = await api.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert old.status_code == 401
    assert (await _login(api, iam_code, PASSWORD)).status_code == 401
    assert (await _login(api, iam_code, NEW_PASSWORD)).status_code == 200
    again = await api.post(
        "/v1/activation-codes/use", json={**body, "activation_code": activation_code}
    )
    assert again.status_code == 422  # single use


async def test_activation_code_expires_after_30_days(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, _ = await register(api, identity)
    await api.post("/v1/activation-codes", json={"iam_code": iam_code})
    letter = next(x for x in (await api.get("/v1/dev/letters")).json() if x["kind"] == "activation")
    code = re.search(r"[2-9A-Z]{4}(?:-[2-9A-Z]{4}){3}", letter["body"]).group(0)
    clock.advance(days=30, seconds=1)
    late = await api.post(
        "/v1/activation-codes/use",
        json={
            "iam_code": iam_code,
            "activation_code": code,
            "new_password": NEW_PASSWORD,
            "mobile": "+352 691 222 333",
        },
    )
    assert (late.status_code, late.json()["error"]) == (422, "activation_code.rejected")


async def test_password_change_needs_current_password_and_otp_and_revokes_sessions(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, tokens = await register(api, identity)
    clock.advance(seconds=30)
    body = {"current_password": "not-the-password-x", "new_password": NEW_PASSWORD}
    wrong = await api.post("/v1/me/password", json=body, headers=bearer(tokens))
    assert (wrong.status_code, wrong.json()["error"]) == (403, "password.wrong_current")
    body["current_password"] = PASSWORD
    started = await api.post("/v1/me/password", json=body, headers=bearer(tokens))
    assert started.status_code == 202, started.text
    code = await last_sms_code(api)
    done = await api.post(
        "/v1/me/changes/confirm",
        json={"flow_id": started.json()["flow_id"], "code": code},
        headers=bearer(tokens),
    )
    assert done.json() == {"completed": True, "next": None}
    old = await api.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert old.status_code == 401
    assert (await _login(api, iam_code, NEW_PASSWORD)).status_code == 200


async def test_email_change_and_profile(api: httpx.AsyncClient, identity: ServiceRuntime) -> None:
    _, tokens = await register(api, identity)
    bad = await api.put("/v1/me/email", json={"email": "not-an-address"}, headers=bearer(tokens))
    assert (bad.status_code, bad.json()["error"]) == (422, "email.invalid")
    ok = await api.put("/v1/me/email", json={"email": "anne@example.lu"}, headers=bearer(tokens))
    assert ok.status_code == 200
    me = (await api.get("/v1/me", headers=bearer(tokens))).json()
    assert me["email"] == "anne@example.lu"
    assert [c["child_id"] for c in me["children"]] == ["child-1"]
    assert (await api.get("/v1/me")).status_code == 401


async def test_mobile_change_sends_the_first_code_to_the_old_number_then_to_the_new(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    iam_code, tokens = await register(api, identity, mobile="+352 621 123 456")
    started = await api.post(
        "/v1/me/mobile", json={"mobile": "+352 691 222 333"}, headers=bearer(tokens)
    )
    assert started.status_code == 202, started.text
    first = await _sms(api)
    assert first["phone"] == "+352621123456"
    flow = started.json()["flow_id"]
    code = re.search(r"\b(\d{6})\b", first["body"]).group(1)
    step = await api.post(
        "/v1/me/changes/confirm", json={"flow_id": flow, "code": code}, headers=bearer(tokens)
    )
    assert step.json()["completed"] is False
    second = await _sms(api)
    assert second["phone"] == "+352691222333"
    code = re.search(r"\b(\d{6})\b", second["body"]).group(1)
    done = await api.post(
        "/v1/me/changes/confirm", json={"flow_id": flow, "code": code}, headers=bearer(tokens)
    )
    assert done.json()["completed"] is True
    await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    assert (await _sms(api))["phone"] == "+352691222333"


async def test_attach_and_detach_children(api: httpx.AsyncClient, identity: ServiceRuntime) -> None:
    _, tokens = await register(api, identity)
    only = await api.delete("/v1/me/children/child-1", headers=bearer(tokens))
    assert (only.status_code, only.json()["error"]) == (409, "child.last_one")
    iam_2, linking_2 = await card_for(api, identity, "child-2", first_name="Léon")
    wrong = await api.post(
        "/v1/me/children",
        json={"iam_code": iam_2, "linking_code": "AAAA-BBBB-CCCC-DDDD"},
        headers=bearer(tokens),
    )
    assert (wrong.status_code, wrong.json()["error"]) == (422, "linking_code.rejected")
    attach = {"iam_code": iam_2, "linking_code": linking_2}
    attached = await api.post("/v1/me/children", json=attach, headers=bearer(tokens))
    assert attached.status_code == 201, attached.text
    assert {c["child_id"] for c in attached.json()["children"]} == {"child-1", "child-2"}
    spent = await api.post("/v1/me/children", json=attach, headers=bearer(tokens))
    assert (spent.status_code, spent.json()["error"]) == (422, "linking_code.rejected")
    refreshed = await api.post(
        "/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    principal = identity.token_verifier.verify(refreshed.json()["access_token"])
    assert principal.children == frozenset({"child-1", "child-2"})
    assert (await api.delete("/v1/me/children/child-1", headers=bearer(tokens))).status_code == 204
    me = (await api.get("/v1/me", headers=bearer(tokens))).json()
    assert [c["child_id"] for c in me["children"]] == ["child-2"]
    types = await _emitted_types(identity)
    assert "lu.csa.identity.child.detached.v1" in types


async def _emitted_types(runtime: ServiceRuntime) -> list[str]:
    return [e["type"] for e in await emitted_documents(runtime)]


async def _audit_rows(runtime: ServiceRuntime, action: str) -> list[tuple[str, str | None, dict]]:
    async with runtime.unit_of_work() as session:
        rows = await session.execute(
            select(audit_log.c.outcome, audit_log.c.subject, audit_log.c.detail)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        )
        return [(r.outcome, r.subject, r.detail) for r in rows]


async def test_failures_inside_the_transaction_leave_an_audit_row(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    """The error rolls the change back but not the security audit trail."""
    _, tokens = await register(api, identity)
    account_id = identity.token_verifier.verify(tokens["access_token"]).subject
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    iam_2, _linking = await card_for(api, identity, "child-2")
    wrong = await api.post(
        "/v1/me/children",
        json={"iam_code": iam_2, "linking_code": "AAAA-BBBB-CCCC-DDDD"},
        headers=auth,
    )
    assert wrong.status_code == 422, wrong.text
    assert await _audit_rows(identity, "office.attach") == [
        ("failure", account_id, {"reason": wrong.json()["error"]})
    ]
    last = await api.delete("/v1/me/children/child-1", headers=auth)
    assert last.status_code == 409
    assert await _audit_rows(identity, "office.detach") == [
        ("failure", account_id, {"child": "child-1", "reason": "child.last_one"})
    ]
