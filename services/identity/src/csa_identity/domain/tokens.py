"""Access tokens: JWTs signed with an asymmetric key, and the JWKS other services verify with.

Signing: EdDSA (Ed25519) by default, ES256 supported. A ``KeySet`` holds the current signing
key plus previous public keys, still published in the JWKS so tokens signed before a
rotation stay verifiable until they expire. Access tokens live 15 minutes. The claims
contract (``kind``, ``roles``, ``scope``, ``children``, ``provider_id``, ``commune``,
``office``) is the one ``csa_shared.auth`` reads back into a ``Principal``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from csa_identity.domain.instants import require_aware
from csa_shared.auth import PrincipalKind

ACCESS_TOKEN_TTL = timedelta(minutes=15)
PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


@dataclass(frozen=True, slots=True)
class VerificationKey:
    kid: str
    algorithm: str
    public_key: PublicKey = field(repr=False)

    def jwk(self) -> dict[str, Any]:
        if isinstance(self.public_key, Ed25519PublicKey):
            body = OKPAlgorithm.to_jwk(self.public_key)
        else:
            body = ECAlgorithm.to_jwk(self.public_key)
        jwk: dict[str, Any] = json.loads(body)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: PrivateKey = field(repr=False)

    @property
    def algorithm(self) -> str:
        return "EdDSA" if isinstance(self.private_key, Ed25519PrivateKey) else "ES256"

    def verification_key(self) -> VerificationKey:
        return VerificationKey(self.kid, self.algorithm, self.private_key.public_key())

    def to_pem(self) -> bytes:
        """PKCS#8 PEM for the key store (encrypt it at rest in the adapter)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @classmethod
    def from_pem(cls, kid: str, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and not isinstance(key.curve, ec.SECP256R1):
            raise ValueError("ES256 needs a P-256 key")
        if not isinstance(key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("signing keys are Ed25519 or P-256")
        return cls(kid, key)


def generate_signing_key(kid: str, *, algorithm: str = "EdDSA") -> SigningKey:
    if algorithm == "EdDSA":
        return SigningKey(kid, Ed25519PrivateKey.generate())
    if algorithm == "ES256":
        return SigningKey(kid, ec.generate_private_key(ec.SECP256R1()))
    raise ValueError(f"unsupported algorithm {algorithm}")


@dataclass(frozen=True, slots=True)
class KeySet:
    current: SigningKey
    previous: tuple[VerificationKey, ...] = ()

    def rotate(self, new_key: SigningKey, *, keep_previous: int = 2) -> KeySet:
        """``new_key`` signs from now on; the old current key and up to ``keep_previous`` keys
        in total remain in the JWKS (keep one longer than the access-token lifetime)."""
        kept = (self.current.verification_key(), *self.previous)[:keep_previous]
        return KeySet(new_key, kept)

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set served at ``/.well-known/jwks.json``."""
        keys = [self.current.verification_key(), *self.previous]
        return {"keys": [key.jwk() for key in keys]}


@dataclass(frozen=True, slots=True)
class AccessClaims:
    subject: str
    kind: PrincipalKind
    audience: tuple[str, ...]
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    provider_id: str | None = None
    commune: str | None = None
    office: str | None = None


def sign_access_token(
    claims: AccessClaims,
    *,
    keys: KeySet,
    issuer: str,
    now: datetime,
    ttl: timedelta = ACCESS_TOKEN_TTL,
    jti: str | None = None,
) -> str:
    """A signed access token issued at ``now``, expiring ``ttl`` later."""
    issued_at = int(require_aware(now).timestamp())
    payload: dict[str, Any] = {
        "iss": issuer,
        "sub": claims.subject,
        "aud": list(claims.audience),
        "iat": issued_at,
        "exp": issued_at + int(ttl.total_seconds()),
        "jti": jti or secrets.token_urlsafe(16),
        "kind": claims.kind.value,
        "roles": list(claims.roles),
        "scope": " ".join(claims.scopes),
    }
    if claims.kind is PrincipalKind.PARENT:
        payload["children"] = list(claims.children)
    optional = {"provider_id": claims.provider_id, "commune": claims.commune}
    optional["office"] = claims.office
    payload.update({name: value for name, value in optional.items() if value is not None})
    return jwt.encode(
        payload,
        keys.current.private_key,
        algorithm=keys.current.algorithm,
        headers={"kid": keys.current.kid},
    )


def parent_access_claims(
    *, account_id: str, child_ids: Sequence[str], audience: Sequence[str]
) -> AccessClaims:
    """A parent sees the invoices and statements of the attached children (csa-rules §9)."""
    return AccessClaims(
        subject=account_id,
        kind=PrincipalKind.PARENT,
        audience=tuple(audience),
        roles=("parent",),
        scopes=("children:read", "invoices:read"),
        children=tuple(child_ids),
    )
