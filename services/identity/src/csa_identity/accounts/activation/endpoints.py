"""Activation code by post endpoints (thin: parse, call, shape)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csa_identity.accounts.activation import service
from csa_identity.accounts.activation.schemas import (
    ActivationRequest,
    ActivationRequested,
    ActivationUse,
)
from csa_identity.accounts.schemas import OtpConfirm, OtpSentOut
from csa_identity.domain.messages import message
from csa_identity.problems import (
    ACTIVATION_PROBLEMS,
    INVALID_INPUT,
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
    responses=INVALID_INPUT,
)
async def request_activation(body: ActivationRequest, request: Request) -> ActivationRequested:
    await service.request_activation_letter(runtime_of(request), iam_code=body.iam_code)
    return ActivationRequested(detail=message("activation.letter_sent", language_of(request)))


@router.post(
    "/activation-codes/use",
    status_code=202,
    summary="Use the activation code: new password + mobile → SMS code to that mobile",
    responses={**ACTIVATION_PROBLEMS, **SMS_UNAVAILABLE},
)
async def use_activation(body: ActivationUse, request: Request) -> OtpSentOut:
    sent = await service.use_activation_code(
        runtime_of(request),
        iam_code=body.iam_code,
        activation_code=body.activation_code,
        new_password=body.new_password,
        mobile=body.mobile,
        language=language_of(request),
    )
    return OtpSentOut.of(sent)


@router.post(
    "/activation-codes/confirm",
    status_code=204,
    summary="Confirm with the SMS code: account reactivated, lockouts cleared, sessions revoked",
    responses=OTP_PROBLEMS,
)
async def confirm_activation(body: OtpConfirm, request: Request) -> Response:
    await service.confirm_activation(runtime_of(request), flow_id=body.flow_id, sms_code=body.code)
    return Response(status_code=204)
