"""The parent's virtual office (csa-rules.md §9, seed 000): change password (current password
+ OTP), e-mail, mobile (OTP to the old number, then to the new one), attach a child with its
linking code, detach a child (never the last), register a LuxTrust certificate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from csa_identity.domain.accounts import (
    ChildLink,
    LuxTrustCertificate,
    ParentAccount,
    enter_account_otp,
    revoke_sessions,
)
from csa_identity.domain.codes import CodeHasher
from csa_identity.domain.errors import (
    ChildAlreadyAttached,
    ChildNotAttached,
    IdentityError,
    InvalidEmail,
    LastChildCannotBeDetached,
    TooManyAttempts,
    WrongCurrentPassword,
)
from csa_identity.domain.lockout import LockoutPolicy, record_failure, record_success
from csa_identity.domain.mycard import MyCard, check_linking_code, spend_linking_code
from csa_identity.domain.otp import OtpChallenge, OtpPolicy, OtpPurpose, issue_otp
from csa_identity.domain.passwords import PasswordHasher, PasswordPolicy, check_new_password
from csa_identity.domain.phone import normalise_mobile
from csa_identity.domain.sms_limits import SmsHistory

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ChangeKind(StrEnum):
    PASSWORD = "password"
    MOBILE = "mobile"


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A change waiting for its OTP; ``otp.purpose`` says which stage it is in."""

    account_id: str
    kind: ChangeKind
    otp: OtpChallenge
    new_password_hash: str | None = None
    new_mobile: str | None = None


@dataclass(frozen=True, slots=True)
class OfficeStep:
    account: ParentAccount
    pending: PendingChange | None = None
    sms_code: str | None = None
    error: IdentityError | None = None


def begin_password_change(
    account: ParentAccount,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    lockout: LockoutPolicy,
    sms_history: SmsHistory,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> OfficeStep:
    """Current password (counted like a login failure) and policy, then an OTP to the mobile."""
    if account.password_failures.is_locked(now):
        retry_after = account.password_failures.retry_after(now)
        return OfficeStep(account, error=TooManyAttempts(retry_after))
    if not hasher.verify(account.password_hash, current_password):
        failures = record_failure(account.password_failures, now=now, policy=lockout)
        return OfficeStep(
            replace(account, password_failures=failures), error=WrongCurrentPassword()
        )
    account = replace(account, password_failures=record_success(account.password_failures))
    try:
        accepted = check_new_password(new_password, policy=policy, iam_codes=account.iam_codes)
        sms_history.ensure_allowed(now=now)
    except IdentityError as refused:
        return OfficeStep(account, error=refused)
    sent = issue_otp(
        purpose=OtpPurpose.CHANGE_PASSWORD, phone=account.mobile, now=now, policy=otp_policy
    )
    pending = PendingChange(
        account.account_id, ChangeKind.PASSWORD, sent.challenge, hasher.hash(accepted)
    )
    return OfficeStep(account, pending, sent.code)


def begin_mobile_change(
    account: ParentAccount,
    *,
    new_mobile: str,
    now: datetime,
    sms_history: SmsHistory,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> OfficeStep:
    """First OTP goes to the **old** number (csa-rules §9). ``sms_history`` is the old one's."""
    e164 = normalise_mobile(new_mobile)
    sms_history.ensure_allowed(now=now)
    sent = issue_otp(
        purpose=OtpPurpose.CHANGE_MOBILE_OLD, phone=account.mobile, now=now, policy=otp_policy
    )
    pending = PendingChange(account.account_id, ChangeKind.MOBILE, sent.challenge, new_mobile=e164)
    return OfficeStep(account, pending, sent.code)


def confirm_change(
    account: ParentAccount,
    pending: PendingChange,
    *,
    sms_code: str,
    now: datetime,
    lockout: LockoutPolicy,
    new_number_sms_history: SmsHistory = SmsHistory(),
    otp_policy: OtpPolicy = OtpPolicy(),
) -> OfficeStep:
    """Check the OTP of the current stage. Password: applied, other sessions revoked.
    Mobile, old-number stage: an OTP is sent to the new number. New-number stage: applied."""
    if pending.account_id != account.account_id:
        raise ValueError("pending change belongs to another account")
    step = enter_account_otp(
        account,
        pending.otp,
        sms_code,
        purpose=pending.otp.purpose,
        now=now,
        lockout=lockout,
        otp_policy=otp_policy,
    )
    if not step.accepted:
        kept = replace(pending, otp=step.challenge) if step.challenge is not None else None
        return OfficeStep(step.account, kept, error=step.error)
    account = step.account
    if pending.kind is ChangeKind.PASSWORD and pending.new_password_hash is not None:
        changed = replace(
            revoke_sessions(account, now=now), password_hash=pending.new_password_hash
        )
        return OfficeStep(changed)
    if pending.new_mobile is None:
        raise ValueError("mobile change without a new number")
    if pending.otp.purpose is OtpPurpose.CHANGE_MOBILE_OLD:
        try:
            new_number_sms_history.ensure_allowed(now=now)
        except IdentityError as limited:
            return OfficeStep(account, error=limited)
        sent = issue_otp(
            purpose=OtpPurpose.CHANGE_MOBILE_NEW,
            phone=pending.new_mobile,
            now=now,
            policy=otp_policy,
        )
        return OfficeStep(account, replace(pending, otp=sent.challenge), sent.code)
    return OfficeStep(replace(account, mobile=pending.new_mobile))


def change_email(account: ParentAccount, *, email: str | None) -> ParentAccount:
    """Set or clear the contact e-mail (a plausibility check only; no OTP needed)."""
    if email is None or not email.strip():
        return replace(account, email=None)
    cleaned = email.strip()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidEmail("email.invalid")
    return replace(account, email=cleaned)


@dataclass(frozen=True, slots=True)
class AttachedChild:
    account: ParentAccount
    card: MyCard


def attach_child(
    account: ParentAccount,
    card: MyCard | None,
    *,
    linking_code: str,
    now: datetime,
    hasher: CodeHasher,
) -> AttachedChild:
    """Attach a further child with its own linking code, which is then spent (seed 000)."""
    card = check_linking_code(card, linking_code, now=now, hasher=hasher)
    if account.has_child(card.child_id):
        raise ChildAlreadyAttached("child already attached")
    link = ChildLink(card.child_id, card.iam_code, now)
    attached = replace(account, children=(*account.children, link))
    return AttachedChild(attached, spend_linking_code(card, now=now))


def detach_child(account: ParentAccount, *, child_id: str) -> ParentAccount:
    """Detach a child; the last one stays, since its IAM code is the account's username."""
    if not account.has_child(child_id):
        raise ChildNotAttached("child not attached")
    if len(account.children) == 1:
        raise LastChildCannotBeDetached("cannot detach the last child")
    return replace(account, children=tuple(c for c in account.children if c.child_id != child_id))


def register_certificate(account: ParentAccount, certificate: LuxTrustCertificate) -> ParentAccount:
    """Add a parsed LuxTrust certificate (``luxtrust.parse_certificate``); same one twice: no-op."""
    known = {c.sha256_fingerprint for c in account.certificates}
    if certificate.sha256_fingerprint in known:
        return account
    return replace(account, certificates=(*account.certificates, certificate))
