"""LuxTrust certificates and certificate login; OTP lockout; SMS rate limits (HTTP, PostgreSQL)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from csa_shared.runtime import ServiceRuntime

from .conftest import PASSWORD, Clock, last_sms_code, register

pytestmark = pytest.mark.postgres


def certificate_pem(name: str, now: datetime) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_certificate_register_list_remove_and_login_without_sms(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, tokens = await register(api, identity)
    pem = certificate_pem("Anne Muster", clock.now)
    bad = await api.post("/v1/me/certificates", json={"pem": "garbage"}, headers=bearer(tokens))
    assert (bad.status_code, bad.json()["error"]) == (422, "certificate.rejected")
    added = await api.post("/v1/me/certificates", json={"pem": pem}, headers=bearer(tokens))
    assert added.status_code == 201, added.text
    fingerprint = added.json()["sha256_fingerprint"]
    assert added.json()["subject"] == "CN=Anne Muster"
    listed = (await api.get("/v1/me/certificates", headers=bearer(tokens))).json()
    assert [c["sha256_fingerprint"] for c in listed] == [fingerprint]

    sms_before = len((await api.get("/v1/dev/sms")).json())
    body = {"iam_code": iam_code, "password": PASSWORD}
    login = await api.post("/v1/login/certificate", json=body, headers=passed(pem))
    assert login.status_code == 200, login.text
    assert len((await api.get("/v1/dev/sms")).json()) == sms_before
    assert identity.token_verifier.verify(login.json()["access_token"]).kind == "parent"
    other = certificate_pem("Mallory", clock.now)
    for headers in (passed(other), {}):
        refused = await api.post("/v1/login/certificate", json=body, headers=headers)
        assert (refused.status_code, refused.json()["error"]) == (401, "login.failed")
    wrong_password = await api.post(
        "/v1/login/certificate",
        json={**body, "password": "wrong-password-xyz"},
        headers=passed(pem),
    )
    assert wrong_password.status_code == 401

    path = f"/v1/me/certificates/{fingerprint}"
    assert (await api.delete(path, headers=bearer(tokens))).status_code == 204
    assert (await api.delete(path, headers=bearer(tokens))).status_code == 404
    gone = await api.post("/v1/login/certificate", json=body, headers=passed(pem))
    assert gone.status_code == 401


def passed(pem: str, verify: str | None = "SUCCESS") -> dict[str, str]:
    """The headers ingress-nginx sets for a client certificate (auth-tls-pass-certificate-to-
    upstream): URL-encoded PEM in ssl-client-cert, the verification result in
    ssl-client-verify."""
    headers = {"ssl-client-cert": quote(pem)}
    if verify is not None:
        headers["ssl-client-verify"] = verify
    return headers


async def test_certificate_login_needs_the_ingress_verification(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    """The registered certificate alone is not enough: without ssl-client-verify: SUCCESS
    (set by the ingress, never by the client) the login is refused; the old, unset
    X-Client-Certificate header is not read at all."""
    iam_code, tokens = await register(api, identity)
    pem = certificate_pem("Anne Muster", clock.now)
    added = await api.post("/v1/me/certificates", json={"pem": pem}, headers=bearer(tokens))
    assert added.status_code == 201, added.text
    body = {"iam_code": iam_code, "password": PASSWORD}
    for headers in (
        passed(pem, verify=None),
        passed(pem, verify="NONE"),
        passed(pem, verify="FAILED:certificate has expired"),
        passed(pem, verify="success"),
        {"X-Client-Certificate": quote(pem), "ssl-client-verify": "SUCCESS"},
        {"ssl-client-cert": quote(pem), "X-Client-Verify": "SUCCESS"},
    ):
        refused = await api.post("/v1/login/certificate", json=body, headers=headers)
        assert (refused.status_code, refused.json()["error"]) == (401, "login.failed"), headers
    accepted = await api.post("/v1/login/certificate", json=body, headers=passed(pem))
    assert accepted.status_code == 200, accepted.text


async def test_certificate_header_names_come_from_the_settings(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    identity.settings = identity.settings.model_copy(
        update={
            "identity_client_cert_header": "x-proxy-client-cert",
            "identity_client_verify_header": "x-proxy-client-verify",
        }
    )
    iam_code, tokens = await register(api, identity)
    pem = certificate_pem("Anne Muster", clock.now)
    await api.post("/v1/me/certificates", json={"pem": pem}, headers=bearer(tokens))
    body = {"iam_code": iam_code, "password": PASSWORD}
    default_names = await api.post("/v1/login/certificate", json=body, headers=passed(pem))
    assert default_names.status_code == 401
    configured = {"x-proxy-client-cert": quote(pem), "x-proxy-client-verify": "SUCCESS"}
    accepted = await api.post("/v1/login/certificate", json=body, headers=configured)
    assert accepted.status_code == 200, accepted.text


async def test_otp_lockout_ends_the_pending_login(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, _ = await register(api, identity)
    started = await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    flow = started.json()["flow_id"]
    code = await last_sms_code(api)
    wrong = "000000" if code != "000000" else "111111"
    answers = [
        await api.post("/v1/login/complete", json={"flow_id": flow, "code": wrong})
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    ended = await api.post("/v1/login/complete", json={"flow_id": flow, "code": code})
    assert (ended.status_code, ended.json()["error"]) == (422, "otp.expired")
    during = await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    assert during.status_code == 429


def _code(sms: dict[str, Any]) -> str:
    return re.search(r"\b(\d{6})\b", sms["body"]).group(1)


async def test_sms_rate_limit_per_number_across_accounts(
    api: httpx.AsyncClient, identity: ServiceRuntime
) -> None:
    shared = "+352 621 999 000"
    iam_a, _ = await register(api, identity, "child-a", mobile=shared)
    iam_b, _ = await register(api, identity, "child-b", mobile=shared)
    login = {"password": PASSWORD}
    assert (await api.post("/v1/login", json={**login, "iam_code": iam_a})).status_code == 202
    limited = await api.post("/v1/login", json={**login, "iam_code": iam_b})
    assert (limited.status_code, limited.json()["error"]) == (429, "sms.rate_limited")
    assert int(limited.headers["Retry-After"]) > 0


async def test_sms_rate_limit_per_account_across_numbers(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, tokens = await register(api, identity, mobile="+352 621 123 456")
    clock.advance(minutes=11)
    started = await api.post(
        "/v1/me/mobile", json={"mobile": "+352 691 222 333"}, headers=bearer(tokens)
    )
    flow = started.json()["flow_id"]
    for _ in range(2):  # old number, then new number
        code = _code((await api.get("/v1/dev/sms")).json()[0])
        await api.post(
            "/v1/me/changes/confirm", json={"flow_id": flow, "code": code}, headers=bearer(tokens)
        )
    login = {"iam_code": iam_code, "password": PASSWORD}
    assert (await api.post("/v1/login", json=login)).status_code == 202  # 2nd SMS to new number
    limited = await api.post("/v1/login", json=login)
    assert (limited.status_code, limited.json()["error"]) == (429, "sms.rate_limited")
