"""Activation code by post and the LuxTrust-certificate login (thin endpoints)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csa_identity.accounts import activation
from csa_identity.accounts.endpoints import _INVALID, _sent, _tokens
from csa_identity.accounts.schemas import (
    ActivationRequest,
    ActivationRequested,
    ActivationUse,
    CertificateLogin,
    OtpConfirm,
    OtpSentOut,
    TokensOut,
)
from csa_identity.domain.messages import message
from csa_identity.office import certificates
from csa_identity.office.certificates import ClientCertificate
from csa_identity.problems import (
    ACTIVATION_PROBLEMS,
    LOGIN_PROBLEMS,
    OTP_PROBLEMS,
    SMS_UNAVAILABLE,
    language_of,
)
from csa_shared.http.app import runtime_of

router = APIRouter(tags=["parent accounts"])


@router.post(
    "/activation-codes",
    status_code=202,
    summary="Request an activation code by post (letter to the home address; valid 30 days)",
    responses=_INVALID,
)
async def request_activation(body: ActivationRequest, request: Request) -> ActivationRequested:
    await activation.request_activation_letter(runtime_of(request), iam_code=body.iam_code)
    return ActivationRequested(detail=message("activation.letter_sent", language_of(request)))


@router.post(
    "/activation-codes/use",
    status_code=202,
    summary="Use the activation code: new password + mobile → SMS code to that mobile",
    responses={**ACTIVATION_PROBLEMS, **SMS_UNAVAILABLE},
)
async def use_activation(body: ActivationUse, request: Request) -> OtpSentOut:
    sent = await activation.use_activation_code(
        runtime_of(request),
        iam_code=body.iam_code,
        activation_code=body.activation_code,
        new_password=body.new_password,
        mobile=body.mobile,
        language=language_of(request),
    )
    return _sent(sent)


@router.post(
    "/activation-codes/confirm",
    status_code=204,
    summary="Confirm with the SMS code: account reactivated, lockouts cleared, sessions revoked",
    responses=OTP_PROBLEMS,
)
async def confirm_activation(body: OtpConfirm, request: Request) -> Response:
    await activation.confirm_activation(
        runtime_of(request), flow_id=body.flow_id, sms_code=body.code
    )
    return Response(status_code=204)


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
    responses={**_INVALID, 401: LOGIN_PROBLEMS[401]},
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
    return _tokens(tokens)
