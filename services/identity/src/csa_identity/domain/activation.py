"""Activation code by post (csa-rules.md §9, seed 000): activates or reactivates an account
after a forgotten password or lost credentials.

Requested with an IAM code; the letter goes to the home address. Rules fixed here: the code
is valid **30 days**, single use, a new request supersedes the previous code, and at most 10
wrong entries void it. Using it (with the IAM code) sets a new password and a mobile number
checked by SMS OTP, reactivates the account, clears lockouts and revokes every session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from csa_identity.domain.accounts import AccountStatus, ParentAccount, revoke_sessions
from csa_identity.domain.codes import CodeHasher, RandomBelow, generate_code
from csa_identity.domain.errors import ActivationCodeRejected, IdentityError, OtpRejected
from csa_identity.domain.instants import require_aware
from csa_identity.domain.lockout import FailureCounter
from csa_identity.domain.otp import OtpChallenge, OtpPolicy, OtpPurpose, check_otp, issue_otp
from csa_identity.domain.passwords import PasswordHasher, PasswordPolicy, check_new_password
from csa_identity.domain.phone import normalise_mobile
from csa_identity.domain.sms_limits import SmsHistory

ACTIVATION_CODE_VALIDITY = timedelta(days=30)
MAX_ACTIVATION_ATTEMPTS = 10
LETTER_INTERVAL = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ActivationCode:
    account_id: str
    code_hash: str
    issued_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return (
            self.used_at is None
            and self.attempts < MAX_ACTIVATION_ATTEMPTS
            and require_aware(now) <= self.expires_at
        )


@dataclass(frozen=True, slots=True)
class ActivationLetter:
    """The code to store (replacing any earlier one) and the clear code for the letter."""

    activation: ActivationCode
    code: str


def issue_activation_code(
    account: ParentAccount,
    *,
    now: datetime,
    hasher: CodeHasher,
    randbelow: RandomBelow = secrets.randbelow,
    validity: timedelta = ACTIVATION_CODE_VALIDITY,
) -> ActivationLetter:
    """A new activation code for the letter. For an unknown IAM code the use case answers
    exactly as for a known one (``messages``: ``activation.letter_sent``) and sends nothing."""
    code = generate_code(randbelow=randbelow)
    activation = ActivationCode(
        account_id=account.account_id,
        code_hash=hasher.hash(code),
        issued_at=require_aware(now),
        expires_at=now + validity,
    )
    return ActivationLetter(activation, code)


def may_send_letter(
    previous: ActivationCode | None, *, now: datetime, interval: timedelta = LETTER_INTERVAL
) -> bool:
    """At most one letter a day per account while the previous code is unused: anyone who
    knows an IAM code can ask, and each letter voids the previous code."""
    if previous is None or previous.used_at is not None:
        return True
    return require_aware(now) - previous.issued_at >= interval


@dataclass(frozen=True, slots=True)
class PendingReactivation:
    account_id: str
    activation_code_hash: str
    password_hash: str
    mobile: str
    otp: OtpChallenge


@dataclass(frozen=True, slots=True)
class ReactivationStep:
    activation: ActivationCode | None
    pending: PendingReactivation | None = None
    sms_code: str | None = None
    account: ParentAccount | None = None
    error: IdentityError | None = None


def start_reactivation(
    account: ParentAccount,
    activation: ActivationCode | None,
    *,
    code: str,
    new_password: str,
    mobile: str,
    now: datetime,
    code_hasher: CodeHasher,
    password_hasher: PasswordHasher,
    password_policy: PasswordPolicy,
    sms_history: SmsHistory,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> ReactivationStep:
    """Check the activation code (a wrong one is counted), the new password and the mobile
    number, then send an OTP to that number."""
    if activation is None or activation.account_id != account.account_id:
        return ReactivationStep(activation, error=ActivationCodeRejected("not valid"))
    if not activation.is_usable(now):
        return ReactivationStep(activation, error=ActivationCodeRejected("not valid"))
    if not code_hasher.verify(code, activation.code_hash):
        counted = replace(activation, attempts=activation.attempts + 1)
        return ReactivationStep(counted, error=ActivationCodeRejected("not valid"))
    try:
        accepted = check_new_password(
            new_password, policy=password_policy, iam_codes=account.iam_codes
        )
        e164 = normalise_mobile(mobile)
        sms_history.ensure_allowed(now=now)
    except IdentityError as refused:
        return ReactivationStep(activation, error=refused)
    sent = issue_otp(purpose=OtpPurpose.REACTIVATE, phone=e164, now=now, policy=otp_policy)
    pending = PendingReactivation(
        account_id=account.account_id,
        activation_code_hash=activation.code_hash,
        password_hash=password_hasher.hash(accepted),
        mobile=e164,
        otp=sent.challenge,
    )
    return ReactivationStep(activation, pending, sent.code)


def complete_reactivation(
    account: ParentAccount,
    activation: ActivationCode,
    pending: PendingReactivation,
    *,
    sms_code: str,
    now: datetime,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> ReactivationStep:
    """OTP right: new password and mobile, account active, lockouts cleared, all sessions
    revoked, activation code used."""
    if (
        pending.account_id != account.account_id
        or pending.activation_code_hash != activation.code_hash
        or not activation.is_usable(now)
    ):
        return ReactivationStep(activation, error=ActivationCodeRejected("not valid"))
    check = check_otp(pending.otp, sms_code, now=now, policy=otp_policy)
    if not check.accepted:
        still_open = check.counts_as_failure and check.challenge.attempts < otp_policy.max_attempts
        kept = replace(pending, otp=check.challenge) if still_open else None
        return ReactivationStep(activation, kept, error=OtpRejected(f"otp.{check.outcome.value}"))
    reactivated = replace(
        revoke_sessions(account, now=now),
        password_hash=pending.password_hash,
        mobile=pending.mobile,
        status=AccountStatus.ACTIVE,
        password_failures=FailureCounter(),
        otp_failures=FailureCounter(),
    )
    return ReactivationStep(replace(activation, used_at=now), account=reactivated)
