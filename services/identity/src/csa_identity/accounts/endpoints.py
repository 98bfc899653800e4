"""Parent registration, login and session endpoints (thin: parse, call, shape)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csa_identity.accounts import service, sessions
from csa_identity.accounts.common import Tokens
from csa_identity.accounts.schemas import (
    LoginStart,
    OtpConfirm,
    OtpSentOut,
    RefreshIn,
    RegistrationStart,
    TokensOut,
)
from csa_identity.problems import (
    LOGIN_PROBLEMS,
    REGISTRATION_PROBLEMS,
    SESSION_PROBLEMS,
    SMS_UNAVAILABLE,
    language_of,
)
from csa_shared.http.app import runtime_of
from csa_shared.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["parent accounts"])
_INVALID = {422: PROBLEM_RESPONSES[422]}


def _tokens(tokens: Tokens) -> TokensOut:
    return TokensOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )


def _sent(sent: service.OtpSent) -> OtpSentOut:
    return OtpSentOut(flow_id=sent.flow_id, sent_to=sent.sent_to, expires_at=sent.expires_at)


@router.post(
    "/registrations",
    status_code=202,
    summary="Start an account: IAM code + linking code + password + mobile → SMS code",
    responses={**_INVALID, **REGISTRATION_PROBLEMS, **SMS_UNAVAILABLE},
)
async def start_registration(body: RegistrationStart, request: Request) -> OtpSentOut:
    sent = await service.begin_registration(
        runtime_of(request),
        iam_code=body.iam_code,
        linking_code=body.linking_code,
        password=body.password,
        mobile=body.mobile,
        language=language_of(request),
    )
    return _sent(sent)


@router.post(
    "/registrations/confirm",
    status_code=201,
    summary="Confirm the account with the SMS code: account active, child attached, signed in",
    responses={**_INVALID, **REGISTRATION_PROBLEMS, 429: LOGIN_PROBLEMS[429]},
)
async def confirm_registration(body: OtpConfirm, request: Request) -> TokensOut:
    tokens = await service.finish_registration(
        runtime_of(request), flow_id=body.flow_id, sms_code=body.code
    )
    return _tokens(tokens)


@router.post(
    "/login",
    status_code=202,
    summary="Login step 1: IAM code + password → SMS code to the account's mobile",
    responses={**LOGIN_PROBLEMS, 429: REGISTRATION_PROBLEMS[429], **SMS_UNAVAILABLE},
)
async def start_login(body: LoginStart, request: Request) -> OtpSentOut:
    sent = await service.begin_parent_login(
        runtime_of(request),
        iam_code=body.iam_code,
        password=body.password,
        language=language_of(request),
    )
    return _sent(sent)


@router.post(
    "/login/complete",
    summary="Login step 2: the SMS code → access token (15 min) + rotating refresh token",
    responses=LOGIN_PROBLEMS,
)
async def complete_login(body: OtpConfirm, request: Request) -> TokensOut:
    tokens = await service.finish_parent_login(
        runtime_of(request), flow_id=body.flow_id, sms_code=body.code
    )
    return _tokens(tokens)


@router.post(
    "/sessions/refresh",
    summary="Swap a refresh token for new tokens (a reused one revokes the session)",
    responses={**SESSION_PROBLEMS, **_INVALID},
)
async def refresh(body: RefreshIn, request: Request) -> TokensOut:
    return _tokens(await sessions.refresh(runtime_of(request), refresh_token=body.refresh_token))


@router.post(
    "/logout",
    status_code=204,
    summary="Revoke the session of this refresh token",
    responses=_INVALID,
)
async def logout(body: RefreshIn, request: Request) -> Response:
    await sessions.logout(runtime_of(request), refresh_token=body.refresh_token)
    return Response(status_code=204)
