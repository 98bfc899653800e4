"""Token endpoint for provider systems, agent login, and administration (thin)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from csa_identity.domain.errors import InvalidClientCredentials
from csa_identity.domain.principals import AgentKind as DomainAgentKind
from csa_identity.principals import service
from csa_identity.principals.oauth import (
    NO_STORE,
    OAUTH_ERROR_RESPONSES,
    TokenRequestRefused,
    oauth_error_response,
)
from csa_identity.principals.schemas import (
    AgentIn,
    AgentKind,
    AgentLoginIn,
    AgentOut,
    ClientIn,
    ClientOut,
    ClientTokenOut,
    DuplicateCardOut,
)
from csa_identity.problems import LOGIN_PROBLEMS
from csa_shared.auth import Principal, PrincipalKind, Role, require_kind, require_role
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import PROBLEM_RESPONSES, problem_responses

router = APIRouter(tags=["providers and agents"])

_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {
                            "type": "string",
                            "enum": ["client_credentials"],
                            "description": "The only grant: client_credentials",
                        },
                        "client_id": {
                            "type": "string",
                            "description": "The client id (or in HTTP Basic, not both)",
                        },
                        "client_secret": {
                            "type": "string",
                            "description": "The client secret (or in HTTP Basic, not both)",
                        },
                    },
                },
                "example": {
                    "grant_type": "client_credentials",
                    "client_id": "prov-42-billing",
                    "client_secret": "K7QXM2RT-9WHBCZ4N-R4TN8KXW-2MCPQ7HD",
                },
            }
        },
    }
}


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise TokenRequestRefused("invalid_client", "malformed basic credentials") from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    if form.get("grant_type") is None:
        raise TokenRequestRefused("invalid_request", "grant_type is required")
    if form["grant_type"] != "client_credentials":
        raise TokenRequestRefused("unsupported_grant_type", "grant_type must be client_credentials")
    basic = _basic(request.headers.get("authorization"))
    if basic is not None and "client_secret" in form:
        raise TokenRequestRefused("invalid_request", "use one client authentication method")
    return basic or (form.get("client_id", ""), form.get("client_secret", ""))


@router.post(
    "/oauth/token",
    summary="OAuth2 client credentials (RFC 6749 §4.4) → token scoped provider:<id>",
    description="Form-encoded `grant_type=client_credentials` with `client_id` and "
    "`client_secret` in the body or as HTTP Basic (not both). Errors follow RFC 6749 §5.2: "
    "`error` and `error_description` (400 `invalid_request` / `unsupported_grant_type`, 401 "
    "`invalid_client` with `WWW-Authenticate`), beside the problem-details members. "
    "Metadata: `/.well-known/oauth-authorization-server` (`/.well-known/openid-configuration`).",
    openapi_extra=_FORM,
    response_model=ClientTokenOut,
    responses=OAUTH_ERROR_RESPONSES,
)
async def token(request: Request, response: Response) -> ClientTokenOut | JSONResponse:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    try:
        client_id, client_secret = _client_credentials(request, form)
        issued = await service.client_credentials_token(
            runtime_of(request), client_id=client_id, client_secret=client_secret
        )
    except TokenRequestRefused as refused:
        return oauth_error_response(refused)
    except InvalidClientCredentials:
        refused = TokenRequestRefused("invalid_client", "client authentication failed")
        return oauth_error_response(refused)
    response.headers.update(NO_STORE)  # RFC 6749 §5.1
    return ClientTokenOut(
        access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
    )


@router.post(
    "/agents/login",
    summary="Agent login: password + TOTP → token with roles scoped to commune/office",
    responses={401: LOGIN_PROBLEMS[401], 422: PROBLEM_RESPONSES[422]},
)
async def agent_login(body: AgentLoginIn, request: Request) -> ClientTokenOut:
    issued = await service.agent_login(
        runtime_of(request), agent_id=body.agent_id, password=body.password, totp_code=body.totp
    )
    return ClientTokenOut(
        access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
    )


async def administrator(principal: Principal = Depends(authenticated)) -> str:
    """Administration is for CAE agents (the national administration of the CSA)."""
    require_kind(principal, PrincipalKind.AGENT)
    require_role(principal, Role.CAE_AGENT)
    return principal.subject


_ADMIN = problem_responses(409, 422)


@router.post(
    "/admin/provider-clients",
    status_code=201,
    summary="Register a provider system's client (the secret is shown once)",
    responses=_ADMIN,
)
async def create_client(
    body: ClientIn, request: Request, _admin: str = Depends(administrator)
) -> ClientOut:
    client, secret = await service.create_client(
        runtime_of(request), provider_id=body.provider_id, client_id=body.client_id
    )
    return ClientOut(
        client_id=client.client_id, provider_id=client.provider_id, client_secret=secret
    )


@router.post(
    "/admin/agents",
    status_code=201,
    summary="Register an agent (the TOTP provisioning URI is shown once)",
    responses=_ADMIN,
)
async def create_agent(
    body: AgentIn, request: Request, _admin: str = Depends(administrator)
) -> AgentOut:
    agent, uri = await service.create_agent(
        runtime_of(request),
        agent_id=body.agent_id,
        kind=DomainAgentKind(body.kind.value),
        password=body.password,
        commune=body.commune,
        office=body.office,
    )
    return AgentOut(
        agent_id=agent.agent_id,
        kind=AgentKind(agent.kind.value),
        commune=agent.commune,
        office=agent.office,
        totp_provisioning_uri=uri,
    )


@router.post(
    "/admin/cards/{child_id}/duplicate",
    status_code=201,
    summary="Duplicate myCard on loss: same IAM code, new linking code, new letter",
    responses=problem_responses(404, 422),
)
async def duplicate_card(
    child_id: str, request: Request, admin: str = Depends(administrator)
) -> DuplicateCardOut:
    issued = await service.duplicate_card(runtime_of(request), child_id=child_id, agent_id=admin)
    card = issued.card
    return DuplicateCardOut(
        child_id=card.child_id, iam_code=card.iam_code, duplicate_number=card.duplicate_number
    )
