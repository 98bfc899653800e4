from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from csa_shared.auth import InvalidToken, PrincipalKind, TokenVerifier

from .conftest import AUDIENCE, ISSUER, NOW, ed25519_jwk, es256_jwk, parent_claims

Sign = Callable[..., str]


def verifier_for(*jwks: dict[str, Any], **kwargs: Any) -> TokenVerifier:
    return TokenVerifier({"keys": list(jwks)}, issuer=ISSUER, audience=AUDIENCE, **kwargs)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@time_machine.travel(NOW)
def test_valid_parent_token_gives_parent_principal_with_children(
    key_a: Ed25519PrivateKey, sign: Sign
) -> None:
    principal = verifier_for(ed25519_jwk(key_a, "k1")).verify(sign(key_a, "k1", parent_claims()))
    assert principal.kind is PrincipalKind.PARENT
    assert principal.subject == "parent-1"
    assert principal.children == {"child-a", "child-b"}
    assert principal.scopes == {"invoices:read"}
    assert principal.token_id == "jti-1"


@time_machine.travel(NOW)
def test_es256_token_is_accepted(sign: Sign) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = sign(key, "ec1", parent_claims(), alg="ES256")
    assert verifier_for(es256_jwk(key, "ec1")).verify(token).subject == "parent-1"


@time_machine.travel(NOW)
def test_changed_payload_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    header, _payload, signature = sign(key_a, "k1", parent_claims()).split(".")
    forged = b64(parent_claims(children=["someone-elses-child"]))
    with pytest.raises(InvalidToken):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(f"{header}.{forged}.{signature}")


@time_machine.travel(NOW)
def test_token_signed_by_other_key_under_known_kid_is_rejected(
    key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    with pytest.raises(InvalidToken):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(sign(key_b, "k1", parent_claims()))


@time_machine.travel(NOW)
def test_unknown_kid_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    with pytest.raises(InvalidToken, match="unknown key"):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(sign(key_a, "k9", parent_claims()))


@time_machine.travel(NOW)
def test_alg_none_token_is_rejected(key_a: Ed25519PrivateKey) -> None:
    unsigned = f"{b64({'alg': 'none', 'kid': 'k1', 'typ': 'JWT'})}.{b64(parent_claims())}."
    with pytest.raises(InvalidToken):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(unsigned)


@time_machine.travel(NOW)
def test_hs256_signed_with_public_key_bytes_is_rejected(key_a: Ed25519PrivateKey) -> None:
    public_pem = key_a.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Hand-made HS256 token keyed with the public key (the classic confusion attack).
    import hashlib
    import hmac

    signing_input = f"{b64({'alg': 'HS256', 'kid': 'k1'})}.{b64(parent_claims())}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken, match="algorithm"):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(token)


@time_machine.travel(NOW)
def test_alg_header_not_matching_key_type_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = sign(ec_key, "k1", parent_claims(), alg="ES256")
    with pytest.raises(InvalidToken, match="does not match"):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(token)


def test_token_expired_beyond_leeway_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    token = sign(key_a, "k1", parent_claims())
    verifier = verifier_for(ed25519_jwk(key_a, "k1"), leeway=timedelta(seconds=30))
    with time_machine.travel(NOW + timedelta(minutes=15, seconds=29)):
        assert verifier.verify(token).subject == "parent-1"
    with (
        time_machine.travel(NOW + timedelta(minutes=15, seconds=31)),
        pytest.raises(InvalidToken, match="expired"),
    ):
        verifier.verify(token)


def test_token_issued_in_the_future_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    token = sign(key_a, "k1", parent_claims())
    with (
        time_machine.travel(NOW - timedelta(minutes=5)),
        pytest.raises(InvalidToken, match="future"),
    ):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(token)


def test_injected_clock_controls_expiry(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    later = NOW + timedelta(hours=1)
    verifier = verifier_for(ed25519_jwk(key_a, "k1"), clock=lambda: later)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(sign(key_a, "k1", parent_claims()))


@time_machine.travel(NOW)
def test_wrong_audience_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    token = sign(key_a, "k1", parent_claims(aud=["attendance"]))
    with pytest.raises(InvalidToken):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(token)


@time_machine.travel(NOW)
def test_wrong_issuer_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    token = sign(key_a, "k1", parent_claims(iss="https://evil.example"))
    with pytest.raises(InvalidToken):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(token)


@time_machine.travel(NOW)
@pytest.mark.parametrize("missing", ["jti", "exp", "kind", "sub"])
def test_token_missing_required_claim_is_rejected(
    key_a: Ed25519PrivateKey, sign: Sign, missing: str
) -> None:
    claims = parent_claims()
    del claims[missing]
    with pytest.raises(InvalidToken):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(sign(key_a, "k1", claims))


@time_machine.travel(NOW)
def test_children_claim_of_wrong_type_is_rejected(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    token = sign(key_a, "k1", parent_claims(children="child-a"))
    with pytest.raises(InvalidToken, match="children"):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(token)


@time_machine.travel(NOW)
def test_provider_token_without_provider_id_is_rejected(
    key_a: Ed25519PrivateKey, sign: Sign
) -> None:
    claims = parent_claims(kind="provider", roles=["provider-system"], children=None)
    with pytest.raises(InvalidToken, match="provider_id"):
        verifier_for(ed25519_jwk(key_a, "k1")).verify(sign(key_a, "k1", claims))


@time_machine.travel(NOW)
def test_token_of_previous_key_still_verifies_after_rotation(
    key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    old_token = sign(key_a, "2025-01", parent_claims())
    new_token = sign(key_b, "2025-02", parent_claims(jti="jti-2"))
    verifier = verifier_for(ed25519_jwk(key_b, "2025-02"), ed25519_jwk(key_a, "2025-01"))
    assert verifier.verify(old_token).token_id == "jti-1"
    assert verifier.verify(new_token).token_id == "jti-2"


@time_machine.travel(NOW)
def test_fetching_source_is_refetched_once_for_a_new_kid(
    key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    published = {"keys": [ed25519_jwk(key_a, "k1")]}
    fetches: list[datetime] = []

    def fetch() -> dict[str, Any]:
        fetches.append(datetime.now(UTC))
        return published

    verifier = TokenVerifier(fetch, issuer=ISSUER, audience=AUDIENCE)
    published = {"keys": [ed25519_jwk(key_b, "k2"), ed25519_jwk(key_a, "k1")]}
    assert verifier.verify(sign(key_b, "k2", parent_claims())).subject == "parent-1"
    assert verifier.verify(sign(key_a, "k1", parent_claims())).subject == "parent-1"
    assert len(fetches) == 2


@time_machine.travel(NOW)
def test_garbage_token_is_rejected(key_a: Ed25519PrivateKey) -> None:
    with pytest.raises(InvalidToken, match="malformed"):
        verifier_for(ed25519_jwk(key_a, "k1")).verify("not-a-jwt")


def test_jwk_with_unsupported_alg_is_ignored(key_a: Ed25519PrivateKey, sign: Sign) -> None:
    jwk = {**ed25519_jwk(key_a, "k1"), "alg": "RS256"}
    with time_machine.travel(NOW), pytest.raises(InvalidToken, match="unknown key"):
        verifier_for(jwk).verify(sign(key_a, "k1", parent_claims()))
    assert jwt.get_unverified_header(sign(key_a, "k1", parent_claims()))["kid"] == "k1"
