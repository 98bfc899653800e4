"""Virtual-office routes (``/v1/me/...``) for a parent's access token (thin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from csa_identity.accounts.schemas import OtpConfirm, OtpSentOut
from csa_identity.domain.accounts import LuxTrustCertificate, ParentAccount
from csa_identity.domain.phone import masked
from csa_identity.office import certificates, service
from csa_identity.office.schemas import (
    AttachIn,
    CertificateIn,
    CertificateOut,
    ChangeOut,
    ChildOut,
    EmailIn,
    MobileChangeIn,
    PasswordChangeIn,
    ProfileOut,
)
from csa_identity.problems import (
    ATTACH_PROBLEMS,
    CERTIFICATE_PROBLEMS,
    DETACH_PROBLEMS,
    OTP_PROBLEMS,
    REGISTRATION_PROBLEMS,
    SMS_UNAVAILABLE,
    WRONG_PASSWORD,
    language_of,
)
from csa_shared.auth import Principal, PrincipalKind, require_kind
from csa_shared.http.app import runtime_of
from csa_shared.http.auth import authenticated
from csa_shared.http.problems import problem_responses

router = APIRouter(prefix="/me", tags=["virtual office"])


async def parent(principal: Principal = Depends(authenticated)) -> str:
    """The account id of a parent's token (other principals: 403)."""
    require_kind(principal, PrincipalKind.PARENT)
    return principal.subject


def _profile(account: ParentAccount) -> ProfileOut:
    return ProfileOut(
        account_id=account.account_id,
        mobile=masked(account.mobile),
        email=account.email,
        children=[
            ChildOut(child_id=c.child_id, iam_code=c.iam_code, attached_at=c.attached_at)
            for c in account.children
        ],
    )


def _certificate(certificate: LuxTrustCertificate) -> CertificateOut:
    return CertificateOut(
        subject=certificate.subject,
        serial_number=certificate.serial_number,
        sha256_fingerprint=certificate.sha256_fingerprint,
        not_valid_after=certificate.not_valid_after,
        registered_at=certificate.registered_at,
    )


@router.get(
    "",
    summary="The account: masked mobile, e-mail, attached children",
    responses=problem_responses(),
)
async def me(request: Request, account_id: str = Depends(parent)) -> ProfileOut:
    return _profile(await service.profile(runtime_of(request), account_id))


@router.post(
    "/password",
    status_code=202,
    summary="Change password step 1: current + new password → SMS code",
    responses={
        **problem_responses(422),
        **WRONG_PASSWORD,
        429: REGISTRATION_PROBLEMS[429],
        **SMS_UNAVAILABLE,
    },
)
async def change_password(
    body: PasswordChangeIn, request: Request, account_id: str = Depends(parent)
) -> OtpSentOut:
    sent = await service.begin_password_change(
        runtime_of(request),
        account_id,
        current_password=body.current_password,
        new_password=body.new_password,
        language=language_of(request),
    )
    return OtpSentOut.of(sent)


@router.post(
    "/mobile",
    status_code=202,
    summary="Change mobile step 1: SMS code to the OLD number",
    responses={**problem_responses(422), 429: REGISTRATION_PROBLEMS[429], **SMS_UNAVAILABLE},
)
async def change_mobile(
    body: MobileChangeIn, request: Request, account_id: str = Depends(parent)
) -> OtpSentOut:
    sent = await service.begin_mobile_change(
        runtime_of(request), account_id, new_mobile=body.mobile, language=language_of(request)
    )
    return OtpSentOut.of(sent)


@router.post(
    "/changes/confirm",
    summary="Confirm a password or mobile change with its SMS code",
    description="A mobile change needs two codes: the old number's, then the new number's "
    "(sent when the first is confirmed, same `flow_id`). A password change revokes all sessions.",
    responses={**problem_responses(), **OTP_PROBLEMS, **SMS_UNAVAILABLE},
)
async def confirm_change(
    body: OtpConfirm, request: Request, account_id: str = Depends(parent)
) -> ChangeOut:
    step = await service.confirm_change(
        runtime_of(request),
        account_id,
        flow_id=body.flow_id,
        sms_code=body.code,
        language=language_of(request),
    )
    return ChangeOut(completed=step.completed, next=OtpSentOut.of(step.sent) if step.sent else None)


@router.put("/email", summary="Set or clear the contact e-mail", responses=problem_responses(422))
async def set_email(
    body: EmailIn, request: Request, account_id: str = Depends(parent)
) -> ProfileOut:
    account = await service.set_email(runtime_of(request), account_id, email=body.email)
    return _profile(account)


@router.post(
    "/children",
    status_code=201,
    summary="Attach a further child with its myCard linking code (refresh to see it in tokens)",
    responses={**problem_responses(), **ATTACH_PROBLEMS},
)
async def attach_child(
    body: AttachIn, request: Request, account_id: str = Depends(parent)
) -> ProfileOut:
    account = await service.attach(
        runtime_of(request), account_id, iam_code=body.iam_code, linking_code=body.linking_code
    )
    return _profile(account)


@router.delete(
    "/children/{child_id}",
    status_code=204,
    summary="Detach a child (never the last one)",
    responses={**problem_responses(422), **DETACH_PROBLEMS},
)
async def detach_child(
    child_id: str, request: Request, account_id: str = Depends(parent)
) -> Response:
    await service.detach(runtime_of(request), account_id, child_id=child_id)
    return Response(status_code=204)


@router.post(
    "/certificates",
    status_code=201,
    summary="Register a LuxTrust certificate (X.509 PEM)",
    responses={**problem_responses(409), **CERTIFICATE_PROBLEMS},
)
async def register_certificate(
    body: CertificateIn, request: Request, account_id: str = Depends(parent)
) -> CertificateOut:
    found = await certificates.register(runtime_of(request), account_id, pem=body.pem)
    return _certificate(found)


@router.get(
    "/certificates", summary="Registered LuxTrust certificates", responses=problem_responses()
)
async def list_certificates(
    request: Request, account_id: str = Depends(parent)
) -> list[CertificateOut]:
    return [_certificate(c) for c in await certificates.listed(runtime_of(request), account_id)]


@router.delete(
    "/certificates/{fingerprint}",
    status_code=204,
    summary="Remove a LuxTrust certificate (by SHA-256 fingerprint, hex)",
    responses=problem_responses(404, 422),
)
async def remove_certificate(
    fingerprint: str, request: Request, account_id: str = Depends(parent)
) -> Response:
    await certificates.remove(runtime_of(request), account_id, fingerprint=fingerprint)
    return Response(status_code=204)
