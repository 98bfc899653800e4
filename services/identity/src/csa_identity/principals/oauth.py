"""The token endpoint's errors as RFC 6749 §5.2 says, and its discovery metadata (RFC 8414).

OAuth client libraries read ``error`` / ``error_description`` from an ``application/json``
body (400, or 401 with ``WWW-Authenticate`` for a failed client authentication). The body
keeps the problem-details members too (``type``, ``title``, ``status``, ``detail``), as
every other error of the platform, so one parser reads them all.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from csa_identity.context import identity_of
from csa_shared.http.app import runtime_of
from csa_shared.http.problems import PROBLEM_BASE

OAuthError = Literal["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_grant"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_PATH = "/v1/oauth/token"
JWKS_PATH = "/.well-known/jwks.json"

_TITLES: dict[str, str] = {
    "invalid_request": "Invalid token request",
    "invalid_client": "Invalid client",
    "unsupported_grant_type": "Unsupported grant type",
    "invalid_grant": "Invalid grant",
}


class TokenRequestRefused(Exception):
    def __init__(self, error: OAuthError, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def oauth_error_response(refused: TokenRequestRefused) -> JSONResponse:
    status = 401 if refused.error == "invalid_client" else 400
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="csa", error="invalid_client"'
    body = {
        "error": refused.error,
        "error_description": refused.description,
        "type": PROBLEM_BASE + "oauth-" + refused.error.replace("_", "-"),
        "title": _TITLES[refused.error],
        "status": status,
        "detail": refused.description,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _error_example(error: OAuthError, description: str, status: int) -> dict[str, Any]:
    return {
        "error": error,
        "error_description": description,
        "type": PROBLEM_BASE + "oauth-" + error.replace("_", "-"),
        "title": _TITLES[error],
        "status": status,
        "detail": description,
    }


OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 6749 §5.2 error response (with the problem-details members)",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "string",
            "enum": list(_TITLES),
            "description": "The RFC 6749 §5.2 error code",
        },
        "error_description": {"type": "string", "description": "Human-readable explanation"},
        "type": {"type": "string", "description": "Problem type URI (RFC 9457)"},
        "title": {"type": "string", "description": "Short summary of the kind of problem"},
        "status": {"type": "integer", "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "The same as error_description"},
    },
}
OAUTH_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "invalid_request or unsupported_grant_type (RFC 6749 §5.2)",
        "content": {
            "application/json": {
                "schema": OAUTH_ERROR_SCHEMA,
                "example": _error_example(
                    "unsupported_grant_type", "grant_type must be client_credentials", 400
                ),
            }
        },
    },
    401: {
        "description": "invalid_client: unknown client or wrong secret (RFC 6749 §5.2)",
        "content": {
            "application/json": {
                "schema": OAUTH_ERROR_SCHEMA,
                "example": _error_example("invalid_client", "client authentication failed", 401),
            }
        },
    },
}

discovery = APIRouter(tags=["tokens"])


def _server_metadata(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")  # this host, under an embedded root path too
    return {
        "issuer": request.app.state.runtime.settings.token_issuer,
        "token_endpoint": base + TOKEN_PATH,
        "jwks_uri": base + JWKS_PATH,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": [],
        "scopes_supported": [],
        "service_documentation": base + "/docs",
    }


@discovery.get(
    "/.well-known/oauth-authorization-server",
    summary="OAuth 2.0 authorization server metadata (RFC 8414)",
    description="Where partners find the token endpoint, its grant and client "
    "authentication methods, and the signing keys.",
)
async def authorization_server_metadata(request: Request) -> dict[str, Any]:
    return _server_metadata(request)


@discovery.get(
    "/.well-known/openid-configuration",
    summary="OpenID Connect discovery metadata (the same as RFC 8414's)",
    description="The authorization server metadata at the path OpenID Connect clients and "
    "API gateways look up first (RFC 8414 §5), with the members OpenID Connect Discovery "
    "requires. Identity issues access tokens by client credentials only: no ID tokens, no "
    "authorization endpoint; tokens are JWTs verified with the keys of `jwks_uri`.",
)
async def openid_configuration(request: Request) -> dict[str, Any]:
    keys = (await identity_of(runtime_of(request)).keys.key_set()).jwks()["keys"]
    return {
        **_server_metadata(request),
        "subject_types_supported": ["public"],
        # the algorithms of the published keys (EdDSA; ES256 with a P-256 signing key)
        "id_token_signing_alg_values_supported": sorted({key["alg"] for key in keys}),
    }
