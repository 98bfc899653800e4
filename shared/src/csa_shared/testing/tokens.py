"""Tokens for tests: an Ed25519 key set and a minter whose claims follow identity's contract.

Services' tests use this instead of a running identity service; the verifier checks the
tokens exactly as it checks identity's (signature, kid, iss, aud, exp).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from csa_shared.auth import TokenVerifier
from csa_shared.settings import ServiceName, audience_of

ISSUER = "https://identity.csa.lu"


@dataclass
class TestTokens:
    """Mint tokens for any principal; ``verifier(service)`` accepts exactly these."""

    __test__ = False
    issuer: str = ISSUER
    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    def verifier(self, service: ServiceName) -> TokenVerifier:
        return TokenVerifier(self.jwks, issuer=self.issuer, audience=audience_of(service))

    def mint(
        self,
        *,
        kind: str,
        subject: str,
        audience: list[str] | None = None,
        ttl: timedelta = timedelta(minutes=15),
        **claims: Any,
    ) -> str:
        now = datetime.now(UTC)
        payload = {
            "iss": self.issuer,
            "sub": subject,
            "aud": audience
            or [audience_of(s) for s in ("identity", "membership", "attendance", "billing")],
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
            "jti": uuid.uuid4().hex,
            "kind": kind,
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="EdDSA", headers={"kid": self.kid})

    def parent(self, subject: str, children: list[str]) -> str:
        return self.mint(kind="parent", subject=subject, roles=["parent"], children=children)

    def provider(self, provider_id: str) -> str:
        return self.mint(
            kind="provider",
            subject=f"client-{provider_id}",
            roles=["provider-system"],
            provider_id=provider_id,
            scope=f"provider:{provider_id}",
        )

    def commune_agent(self, subject: str, commune: str) -> str:
        return self.mint(kind="agent", subject=subject, roles=["commune-agent"], commune=commune)

    def cae_agent(self, subject: str, office: str = "cae") -> str:
        return self.mint(kind="agent", subject=subject, roles=["cae-agent"], office=office)

    def agency_agent(self, subject: str) -> str:
        return self.mint(kind="agent", subject=subject, roles=["dageselteren-agent"])

    def privacy_officer(self, subject: str = "dpo-1") -> str:
        return self.mint(kind="agent", subject=subject, roles=["privacy-officer"])

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}
