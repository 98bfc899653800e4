"""``GET /.well-known/jwks.json``: the public keys every service verifies tokens with
(outside ``/v1``: its path is fixed by convention, RFC 8414 / OpenID discovery)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from csa_identity.context import identity_of
from csa_shared.http.app import runtime_of

router = APIRouter(tags=["tokens"])


@router.get(
    "/.well-known/jwks.json",
    summary="JSON Web Key Set of the access-token signing keys (current and previous)",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "keys": [
                            {
                                "kty": "OKP",
                                "crv": "Ed25519",
                                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                                "kid": "k-3f2a9c1d7e4b",
                                "alg": "EdDSA",
                                "use": "sig",
                            }
                        ]
                    }
                }
            }
        }
    },
)
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    keys = await identity_of(runtime_of(request)).keys.key_set()
    response.headers["Cache-Control"] = "public, max-age=300"
    return keys.jwks()
