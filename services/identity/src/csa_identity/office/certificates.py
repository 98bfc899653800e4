"""LuxTrust certificates: register, list, remove, and log in with one as the strong factor.

Deployment (deploy/k8s/base/common/ingress.yaml): ingress-nginx terminates TLS on identity's
host, asks for a client certificate (``auth-tls-verify-client: optional``) and verifies it
against the LuxTrust CA bundle (``auth-tls-secret``). With ``auth-tls-pass-certificate-to-
upstream`` it sets, with ``proxy_set_header`` (which replaces a client-supplied header of the
same name), ``ssl-client-cert`` (URL-encoded PEM, empty without a certificate) and
``ssl-client-verify`` (``SUCCESS``, ``NONE``, ``FAILED:<reason>``). Identity accepts the
certificate only from those headers (names: ``IDENTITY_CLIENT_CERT_HEADER`` /
``IDENTITY_CLIENT_VERIFY_HEADER``) and only with the verify header exactly ``SUCCESS``; it
must never be reachable except through that ingress (its NetworkPolicy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import unquote

from sqlalchemy.ext.asyncio import AsyncSession

from csa_identity.accounts import repository
from csa_identity.accounts.common import Tokens, open_parent_session
from csa_identity.adapters.audit import audit, failures_audited
from csa_identity.attempts import counted_attempt
from csa_identity.context import identity_of
from csa_identity.domain.accounts import LuxTrustCertificate, ParentAccount, check_password
from csa_identity.domain.errors import CertificateRejected, LoginFailed
from csa_identity.domain.luxtrust import parse_certificate
from csa_identity.domain.mycard import canonical_iam_code
from csa_identity.domain.virtual_office import register_certificate
from csa_identity.office import repository as certs
from csa_identity.office.service import account_of
from csa_shared.errors import Conflict, NotFound
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

VERIFIED = "SUCCESS"


async def register(runtime: ServiceRuntime, account_id: str, *, pem: str) -> LuxTrustCertificate:
    context = identity_of(runtime)
    now = context.now()
    async with failures_audited(runtime, "certificate.register", now=now, subject=account_id):
        return await _register(runtime, account_id, pem=pem)


async def _register(runtime: ServiceRuntime, account_id: str, *, pem: str) -> LuxTrustCertificate:
    context = identity_of(runtime)
    now = context.now()
    certificate = parse_certificate(pem, now=now)
    async with runtime.unit_of_work() as session:
        account = await account_of(session, account_id)
        owner = await certs.owner_of(session, certificate.sha256_fingerprint)
        if owner is not None and owner != account_id:
            raise Conflict("this certificate is registered to another account")
        known = await certs.certificates_of(session, account_id)
        account = replace(account, certificates=tuple(known))
        if register_certificate(account, certificate) is not account:
            if not await certs.insert_certificate(session, account_id, certificate):
                raise Conflict("this certificate is registered to another account")
            await audit(
                session,
                "certificate.register",
                now=now,
                subject=account_id,
                fingerprint=certificate.sha256_fingerprint,
            )
        else:
            certificate = next(
                c for c in known if c.sha256_fingerprint == certificate.sha256_fingerprint
            )
    return certificate


async def listed(runtime: ServiceRuntime, account_id: str) -> list[LuxTrustCertificate]:
    async with runtime.unit_of_work() as session:
        await account_of(session, account_id, for_update=False)
        return await certs.certificates_of(session, account_id)


async def remove(runtime: ServiceRuntime, account_id: str, *, fingerprint: str) -> None:
    now = identity_of(runtime).now()
    fingerprint = fingerprint.lower()
    async with (
        failures_audited(
            runtime, "certificate.remove", now=now, subject=account_id, fingerprint=fingerprint
        ),
        runtime.unit_of_work() as session,
    ):
        if not await certs.delete_certificate(session, account_id, fingerprint):
            raise NotFound("no such certificate on this account")
        await audit(
            session, "certificate.remove", now=now, subject=account_id, fingerprint=fingerprint
        )


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """What the ingress passed: the URL-encoded PEM and its verification result."""

    pem: str | None
    verify: str | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], settings: Settings) -> ClientCertificate:
        return cls(
            headers.get(settings.identity_client_cert_header),
            headers.get(settings.identity_client_verify_header),
        )


def certificate_from_header(
    value: str | None, *, now: datetime, verify: str | None = VERIFIED
) -> LuxTrustCertificate:
    """The certificate the ingress verified; anything less (no header, verification not
    exactly ``SUCCESS``, unreadable or expired certificate) is a failed login."""
    if (verify or "").strip() != VERIFIED:
        raise LoginFailed("client certificate not verified by the ingress")
    if not value:
        raise LoginFailed("no client certificate")
    try:
        return parse_certificate(unquote(value), now=now)
    except CertificateRejected as exc:
        raise LoginFailed("client certificate not usable") from exc


async def login(
    runtime: ServiceRuntime, *, iam_code: str, password: str, client_certificate: ClientCertificate
) -> Tokens:
    """IAM code + password + a registered certificate passed by the ingress: no SMS OTP."""
    context = identity_of(runtime)
    keys = await context.keys.key_set()
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    async with counted_attempt(runtime, now=now) as attempt:
        session = attempt.session
        account = await repository.lock_account_by_iam_code(session, code) if code else None
        checked = check_password(
            account, password, now=now, hasher=context.password_hasher, lockout=context.lockout
        )
        if checked.account is not None:
            await repository.save_account(session, checked.account)
        subject = account.account_id if account else None
        if checked.error is not None or checked.account is None:
            failure = checked.error or LoginFailed("login failed")
            await attempt.refuse_audited(failure, "login.certificate", subject=subject)
        refused = await _unregistered(session, client_certificate, checked.account, now=now)
        if refused is not None:
            await attempt.refuse_audited(refused, "login.certificate", subject=subject)
        tokens = await open_parent_session(session, checked.account, context, keys, now)
        await audit(session, "login.certificate", now=now, subject=subject)
    return tokens


async def _unregistered(
    session: AsyncSession, presented: ClientCertificate, account: ParentAccount, *, now: datetime
) -> LoginFailed | None:
    """Why the certificate the ingress passed does not sign ``account`` in, if it does not."""
    try:
        certificate = certificate_from_header(presented.pem, now=now, verify=presented.verify)
    except LoginFailed as refused:
        return refused
    if await certs.owner_of(session, certificate.sha256_fingerprint) != account.account_id:
        return LoginFailed("certificate not registered to this account")
    return None
