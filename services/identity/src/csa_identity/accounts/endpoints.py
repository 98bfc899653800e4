"""Parent registration and login endpoints, by SMS code or LuxTrust certificate (thin:
parse, call, shape)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from csa_identity.accounts import service
from csa_identity.accounts.schemas import (
    CertificateLogin,
    LoginStart,
    OtpConfirm,
    OtpSentOut,
    RegistrationStart,
    TokensOut,
)
from csa_identity.office import certificates
from csa_identity.office.certificates import ClientCertificate
from csa_identity.problems import (
    INVALID_INPUT,
    LOGIN_PROBLEMS,
    REGISTRATION_PROBLEMS,
    SMS_UNAVAILABLE,
    language_of,
)
from csa_shared.http.app import runtime_of

router = APIRouter(tags=["parent accounts"])


@router.post(
    "/registrations",
    status_code=202,
    summary="Start an account: IAM code + linking code + password + mobile → SMS code",
    responses={**INVALID_INPUT, **REGISTRATION_PROBLEMS, **SMS_UNAVAILABLE},
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
    return OtpSentOut.of(sent)


@router.post(
    "/registrations/confirm",
    status_code=201,
    summary="Confirm the account with the SMS code: account active, child attached, signed in",
    responses={**INVALID_INPUT, **REGISTRATION_PROBLEMS, 429: LOGIN_PROBLEMS[429]},
)
async def confirm_registration(body: OtpConfirm, request: Request) -> TokensOut:
    tokens = await service.finish_registration(
        runtime_of(request), flow_id=body.flow_id, sms_code=body.code
    )
    return TokensOut.of(tokens)


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
    return OtpSentOut.of(sent)


@router.post(
    "/login/complete",
    summary="Login step 2: the SMS code → access token (15 min) + rotating refresh token",
    responses=LOGIN_PROBLEMS,
)
async def complete_login(body: OtpConfirm, request: Request) -> TokensOut:
    tokens = await service.finish_parent_login(
        runtime_of(request), flow_id=body.flow_id, sms_code=body.code
    )
    return TokensOut.of(tokens)


_INGRESS_HEADERS = [
    {
        "name": "ssl-client-cert",
        "in": "header",
        "required": False,
        "description": "Set by the ingress (ingress-nginx) only: URL-encoded PEM of the client "
        "certificate. Header name: `IDENTITY_CLIENT_CERT_HEADER`.",
        "schema": {"type": "string"},
    },
    {
        "name": "ssl-client-verify",
        "in": "header",
        "required": False,
        "description": "Set by the ingress only: the certificate is used only when this is "
        "`SUCCESS` (else `NONE`, `FAILED:...`). Header name: `IDENTITY_CLIENT_VERIFY_HEADER`.",
        "schema": {"type": "string", "example": "SUCCESS"},
    },
]


@router.post(
    "/login/certificate",
    summary="Login with a registered LuxTrust certificate (passed by the ingress) + password",
    description=(
        "The ingress verifies the TLS client certificate against the LuxTrust chain and passes "
        "it URL-encoded (PEM) in `ssl-client-cert` with the result in `ssl-client-verify`; "
        "ingress-nginx sets both itself, replacing any copy a client sent. The certificate "
        "counts only with `ssl-client-verify: SUCCESS`. No SMS code is needed."
    ),
    responses={**INVALID_INPUT, 401: LOGIN_PROBLEMS[401]},
    openapi_extra={"parameters": _INGRESS_HEADERS},
)
async def certificate_login(body: CertificateLogin, request: Request) -> TokensOut:
    runtime = runtime_of(request)
    tokens = await certificates.login(
        runtime,
        iam_code=body.iam_code,
        password=body.password,
        client_certificate=ClientCertificate.from_headers(request.headers, runtime.settings),
    )
    return TokensOut.of(tokens)
