"""Activation code by post and the LuxTrust-certificate login (thin endpoints)."""

from __future__ import annotations

from fastapi import APIRouter, Header, Request, Response

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
from csa_identity.problems import ACTIVATION_PROBLEMS, LOGIN_PROBLEMS, OTP_PROBLEMS, language_of
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
    responses=ACTIVATION_PROBLEMS,
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


@router.post(
    "/login/certificate",
    summary="Login with a registered LuxTrust certificate (passed by the ingress) + password",
    description=(
        "The ingress verifies the TLS client certificate against the LuxTrust chain and passes "
        "it URL-encoded (PEM) in `X-Client-Certificate`; the header is trusted only because "
        "the ingress strips it from outside requests. No SMS code is needed."
    ),
    responses={**_INVALID, 401: LOGIN_PROBLEMS[401]},
)
async def certificate_login(
    body: CertificateLogin,
    request: Request,
    x_client_certificate: str | None = Header(
        default=None, description="Set by the ingress only: URL-encoded PEM of the verified cert"
    ),
) -> TokensOut:
    tokens = await certificates.login(
        runtime_of(request),
        iam_code=body.iam_code,
        password=body.password,
        client_certificate=x_client_certificate,
    )
    return _tokens(tokens)
