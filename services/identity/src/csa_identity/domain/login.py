"""Logging in (csa-rules.md §9): any attached child's IAM code + password, then SMS OTP.

``begin_login`` checks the password (``accounts.check_password``: one error for unknown
IAM code, wrong password and lockout) and sends the OTP; ``complete_login`` checks it.
The caller then opens a session (``sessions.open_session``) and signs an access token
(``tokens.parent_claims``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from csa_identity.domain.accounts import ParentAccount, check_password, enter_account_otp
from csa_identity.domain.errors import IdentityError, LoginFailed, TooManyAttempts
from csa_identity.domain.lockout import LockoutPolicy
from csa_identity.domain.otp import OtpChallenge, OtpPolicy, OtpPurpose, issue_otp
from csa_identity.domain.passwords import PasswordHasher
from csa_identity.domain.sms_limits import SmsHistory


@dataclass(frozen=True, slots=True)
class PendingLogin:
    account_id: str
    iam_code: str
    otp: OtpChallenge
    started_at: datetime


@dataclass(frozen=True, slots=True)
class LoginStep:
    """``account`` to save (counters), ``pending`` to keep (None when the login ended),
    ``sms_code`` to send, ``error`` to raise after saving."""

    account: ParentAccount | None
    pending: PendingLogin | None = None
    sms_code: str | None = None
    error: IdentityError | None = None


def begin_login(
    account: ParentAccount | None,
    *,
    iam_code: str,
    password: str,
    now: datetime,
    hasher: PasswordHasher,
    lockout: LockoutPolicy,
    sms_history: SmsHistory,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> LoginStep:
    """Password first; when right, an OTP to the account's mobile (rate-limited)."""
    if account is not None and iam_code not in account.iam_codes:
        account = None  # the repository found the wrong account: treat as unknown
    checked = check_password(account, password, now=now, hasher=hasher, lockout=lockout)
    if checked.error is not None or checked.account is None:
        return LoginStep(checked.account, error=checked.error or LoginFailed("login failed"))
    account = checked.account
    if account.otp_failures.is_locked(now):
        return LoginStep(account, error=TooManyAttempts(account.otp_failures.retry_after(now)))
    try:
        sms_history.ensure_allowed(now=now)
    except IdentityError as limited:
        return LoginStep(account, error=limited)
    sent = issue_otp(purpose=OtpPurpose.LOGIN, phone=account.mobile, now=now, policy=otp_policy)
    pending = PendingLogin(account.account_id, iam_code, sent.challenge, now)
    return LoginStep(account, pending, sent.code)


def complete_login(
    account: ParentAccount,
    pending: PendingLogin,
    *,
    sms_code: str,
    now: datetime,
    lockout: LockoutPolicy,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> LoginStep:
    """The OTP step; a lockout, an expired or a used-up code end the pending login."""
    if pending.account_id != account.account_id:
        return LoginStep(account, error=LoginFailed("login failed"))
    step = enter_account_otp(
        account,
        pending.otp,
        sms_code,
        purpose=OtpPurpose.LOGIN,
        now=now,
        lockout=lockout,
        otp_policy=otp_policy,
    )
    kept = replace(pending, otp=step.challenge) if step.challenge is not None else None
    return LoginStep(step.account, kept if not step.accepted else None, error=step.error)
