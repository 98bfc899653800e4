"""Production start-up: the documented keys work, an unusable key is refused or reported,
missing secrets stop ``csa serve`` with a clear message, dev endpoints need ``CSA_DEV_MODE``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from csa.services import definition
from csa_identity.domain.tokens import SigningKey
from csa_shared.settings import Settings

from .manifests import REPO, documented_key_commands

KEYGEN = REPO / "deploy/compose/identity-keygen.py"
IDENTITY = definition("identity")


def keygen(*args: str) -> subprocess.CompletedProcess[str]:
    """The key script exactly as docs/DEPLOY.md runs it."""
    return subprocess.run(
        [sys.executable, str(KEYGEN), *args], capture_output=True, text=True, timeout=60
    )


def rsa_key_file(path: Path) -> Path:
    """What the deployment guide used to make: an RSA key, which identity cannot sign with."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    """identity's key and pepper, made with the command docs/DEPLOY.md gives."""
    script, _ = documented_key_commands()
    made = subprocess.run(script, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    return tmp_path


def test_the_documented_commands_make_an_ed25519_key_and_a_pepper_identity_accepts(
    secrets_dir: Path,
) -> None:
    pem = (secrets_dir / "signing-key.pem").read_bytes()
    key = SigningKey.from_pem("k", pem)
    assert key.algorithm == "EdDSA"
    assert (secrets_dir / "signing-key.pem").stat().st_mode & 0o077 == 0
    pepper = (secrets_dir / "code-pepper").read_text().strip()
    assert len(bytes.fromhex(pepper)) == 32
    again = keygen("--signing-key", str(secrets_dir / "signing-key.pem"))
    assert "kept" in again.stdout and (secrets_dir / "signing-key.pem").read_bytes() == pem
    p256 = keygen("--signing-key", str(secrets_dir / "p256.pem"), "--algorithm", "ES256")
    assert p256.returncode == 0
    assert SigningKey.from_pem("p", (secrets_dir / "p256.pem").read_bytes()).algorithm == "ES256"


def test_the_documented_openssl_alternative_makes_a_key_identity_accepts(tmp_path: Path) -> None:
    _, openssl = documented_key_commands()
    if shutil.which(openssl[0]) is None:
        pytest.skip("openssl is not installed")
    made = subprocess.run(openssl, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert (
        SigningKey.from_pem("o", (tmp_path / "signing-key.pem").read_bytes()).algorithm == "EdDSA"
    )


async def _identity_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    runtime = IDENTITY.build_runtime(settings)
    await runtime.start(migrate=True, relay=False)
    app = IDENTITY.create_app(runtime, manage_lifecycle=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://identity"
        ) as api:
            yield api
    finally:
        await runtime.stop()


@pytest.fixture
async def identity_with_rsa_key(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        CSA_VAR_DIR=tmp_path, IDENTITY_SIGNING_KEY_FILE=rsa_key_file(tmp_path / "rsa.pem")
    )
    async for api in _identity_api(settings):
        yield api


async def test_an_rsa_signing_key_makes_identity_not_ready_and_answers_503_not_500(
    identity_with_rsa_key: httpx.AsyncClient,
) -> None:
    ready = await identity_with_rsa_key.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": True, "bus": True, "signing_key": False}
    jwks = await identity_with_rsa_key.get("/.well-known/jwks.json")
    login = await identity_with_rsa_key.post(
        "/v1/login", json={"iam_code": "MusMa123", "password": "x" * 12}
    )
    for answer in (jwks, login):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "Ed25519 or P-256" in answer.json()["detail"]


async def test_the_documented_key_makes_identity_ready_and_publishes_it(
    secrets_dir: Path,
) -> None:
    settings = Settings(
        CSA_VAR_DIR=secrets_dir, IDENTITY_SIGNING_KEY_FILE=secrets_dir / "signing-key.pem"
    )
    async for api in _identity_api(settings):
        assert (await api.get("/readyz")).json()["checks"]["signing_key"] is True
        (published,) = (await api.get("/.well-known/jwks.json")).json()["keys"]
        assert published["crv"] == "Ed25519" and published["kid"].startswith("ext-")


@pytest.mark.parametrize("dev_mode", [False, True])
async def test_dev_endpoints_only_with_dev_mode_even_without_kafka(
    tmp_path: Path, dev_mode: bool
) -> None:
    settings = Settings(CSA_VAR_DIR=tmp_path, CSA_DEV_MODE=dev_mode)
    assert settings.embedded_bus  # no Kafka either way
    async for api in _identity_api(settings):
        for path in ("/v1/dev/sms", "/v1/dev/letters"):
            assert (await api.get(path)).status_code == (200 if dev_mode else 404)


def _serve(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CSA_", "KAFKA_", "IDENTITY_", "SMS_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "csa", "serve", service],
        env={**clean, "CSA_HTTP_PORT": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_csa_serve_refuses_identity_without_its_secrets_and_says_which(tmp_path: Path) -> None:
    refused = _serve(
        "identity",
        {
            "IDENTITY_SIGNING_KEY_FILE": str(rsa_key_file(tmp_path / "rsa.pem")),
            "IDENTITY_CODE_PEPPER": "abcd",
            "SMS_GATEWAY_URL": "https://sms.example.lu/v1/messages",
            "WEBHOOK_ALLOW_HTTP_LOCALHOST": "true",
        },
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    said = " ".join(refused.stderr.split())
    assert "refusing to start in production" in said
    assert "WEBHOOK_ALLOW_HTTP_LOCALHOST is for development only" in said
    assert "IDENTITY_DATABASE_URL (or IDENTITY_DATABASE_URL_FILE) is not set" in said
    assert "signing keys are Ed25519 or P-256" in said
    assert "IDENTITY_CODE_PEPPER has 2 bytes, at least 32 are needed" in said
    assert "SMS_GATEWAY_TOKEN (or _FILE) is not set" in said
    assert "abcd" not in said  # a secret's value is never printed


def test_csa_serve_refuses_a_service_that_could_verify_no_token(tmp_path: Path) -> None:
    """No IDENTITY_URL and no key set in CSA_VAR_DIR: every request would be a 401."""
    refused = _serve(
        "attendance",
        {
            "ATTENDANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'attendance.db'}",
            "CSA_VAR_DIR": str(tmp_path),
        },
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    said = " ".join(refused.stderr.split())
    assert "IDENTITY_URL is not set" in said and "no token could be verified" in said
    settings = Settings(CSA_VAR_DIR=tmp_path, IDENTITY_URL="https://identity.csa.example")
    for name in ("membership", "attendance", "billing"):
        assert not [p for p in definition(name).production_problems(settings) if "IDENTITY" in p]


def test_csa_serve_refuses_sasl_without_its_password(tmp_path: Path) -> None:
    refused = _serve(
        "billing",
        {
            "BILLING_DATABASE_URL": f"sqlite:///{tmp_path / 'billing.db'}",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": "csa-billing",
        },
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "KAFKA_SASL_PASSWORD (or _FILE)" in " ".join(refused.stderr.split())


def test_csa_serve_names_an_unreadable_secret_file_instead_of_a_traceback(tmp_path: Path) -> None:
    refused = _serve("membership", {"MEMBERSHIP_DATABASE_URL_FILE": str(tmp_path / "missing")})
    assert refused.returncode == 2, refused.stdout + refused.stderr
    said = " ".join(refused.stderr.split())
    assert "MEMBERSHIP_DATABASE_URL_FILE: cannot read" in said and "Traceback" not in said
