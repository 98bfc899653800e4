"""LuxTrust certificates: register, list, remove, and log in with one as the strong factor.

Deployment assumption: the ingress terminates TLS, verifies the client certificate against
the LuxTrust CA chain, strips any ``X-Client-Certificate`` header coming from outside and
sets it (URL-encoded PEM) only for a verified certificate. Identity trusts the header for
that reason alone; it must never be reachable except through that ingress.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import unquote

from csa_identity.accounts import repository
from csa_identity.accounts.common import Tokens, open_parent_session
from csa_identity.adapters.audit import audit
from csa_identity.context import identity_of
from csa_identity.domain.accounts import LuxTrustCertificate, check_password
from csa_identity.domain.errors import CertificateRejected, IdentityError, LoginFailed
from csa_identity.domain.luxtrust import parse_certificate
from csa_identity.domain.mycard import canonical_iam_code
from csa_identity.domain.virtual_office import register_certificate
from csa_identity.office import repository as certs
from csa_identity.office.service import account_of
from csa_shared.errors import Conflict, NotFound
from csa_shared.runtime import ServiceRuntime

CLIENT_CERTIFICATE_HEADER = "X-Client-Certificate"


async def register(runtime: ServiceRuntime, account_id: str, *, pem: str) -> LuxTrustCertificate:
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
            await certs.insert_certificate(session, account_id, certificate)
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
        await account_of(session, account_id)
        return await certs.certificates_of(session, account_id)


async def remove(runtime: ServiceRuntime, account_id: str, *, fingerprint: str) -> None:
    context = identity_of(runtime)
    async with runtime.unit_of_work() as session:
        if not await certs.delete_certificate(session, account_id, fingerprint.lower()):
            raise NotFound("no such certificate on this account")
        await audit(
            session,
            "certificate.remove",
            now=context.now(),
            subject=account_id,
            fingerprint=fingerprint.lower(),
        )


def certificate_from_header(value: str | None, *, now: datetime) -> LuxTrustCertificate:
    if not value:
        raise LoginFailed("no client certificate")
    try:
        return parse_certificate(unquote(value), now=now)
    except CertificateRejected as exc:
        raise LoginFailed("client certificate not usable") from exc


async def login(
    runtime: ServiceRuntime, *, iam_code: str, password: str, client_certificate: str | None
) -> Tokens:
    """IAM code + password + a registered certificate passed by the ingress: no SMS OTP."""
    context = identity_of(runtime)
    keys = await context.keys.key_set()
    now = context.now()
    code = canonical_iam_code(iam_code) or ""
    failure: IdentityError | None = None
    async with runtime.unit_of_work() as session:
        account = await repository.load_account_by_iam_code(session, code) if code else None
        checked = check_password(
            account, password, now=now, hasher=context.password_hasher, lockout=context.lockout
        )
        if checked.account is not None:
            await repository.save_account(session, checked.account)
        failure = checked.error
        if failure is None and checked.account is not None:
            try:
                presented = certificate_from_header(client_certificate, now=now)
                owner = await certs.owner_of(session, presented.sha256_fingerprint)
                if owner != checked.account.account_id:
                    raise LoginFailed("certificate not registered to this account")
            except LoginFailed as refused:
                failure = refused
        subject = account.account_id if account else None
        if failure is None and checked.account is not None:
            tokens = await open_parent_session(session, checked.account, context, keys, now)
            await audit(session, "login.certificate", now=now, subject=subject)
        else:
            await audit(session, "login.certificate", now=now, outcome="failure", subject=subject)
    if failure is not None:
        raise failure
    return tokens
