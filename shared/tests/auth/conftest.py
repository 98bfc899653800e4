"""Keys and a token factory for the verifier tests (independent of the identity service)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

ISSUER = "https://identity.csa.test"
AUDIENCE = "billing"
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def ed25519_jwk(private_key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}


def es256_jwk(private_key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": "ES256", "use": "sig"}


def parent_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "parent-1",
        "aud": ["billing", "membership"],
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=15)).timestamp()),
        "jti": "jti-1",
        "kind": "parent",
        "roles": ["parent"],
        "scope": "invoices:read",
        "children": ["child-a", "child-b"],
    }
    claims.update(overrides)
    return claims


@pytest.fixture
def key_a() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def key_b() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def sign() -> Callable[..., str]:
    def _sign(key: Any, kid: str, claims: dict[str, Any], alg: str = "EdDSA") -> str:
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})

    return _sign
