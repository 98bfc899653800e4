"""The parent account and the two checks every flow runs on it: password and SMS OTP.

csa-rules.md §9: one account, one mobile number, one or more attached children, each with an
IAM code that works as the username. Password failures and OTP failures have separate lockout
counters (``lockout.py``). Steps return the state to persist *and* an optional error, so a
failed attempt is saved before the error is raised (``csa_identity.attempts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from csa_identity.domain.errors import (
    AccountNotActive,
    IdentityError,
    LoginFailed,
    OtpRejected,
    TooManyAttempts,
)
from csa_identity.domain.instants import require_aware
from csa_identity.domain.lockout import (
    FailureCounter,
    LockoutPolicy,
    record_failure,
    record_success,
)
from csa_identity.domain.otp import OtpChallenge, OtpPolicy, OtpPurpose, check_otp
from csa_identity.domain.passwords import PasswordHasher


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class ChildLink:
    child_id: str
    iam_code: str
    attached_at: datetime


@dataclass(frozen=True, slots=True)
class LuxTrustCertificate:
    subject: str
    serial_number: str
    sha256_fingerprint: str
    not_valid_after: datetime
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class ParentAccount:
    account_id: str
    password_hash: str = field(repr=False)
    mobile: str
    children: tuple[ChildLink, ...]
    created_at: datetime
    sessions_valid_after: datetime
    status: AccountStatus = AccountStatus.ACTIVE
    email: str | None = None
    password_failures: FailureCounter = field(default_factory=FailureCounter)
    otp_failures: FailureCounter = field(default_factory=FailureCounter)
    certificates: tuple[LuxTrustCertificate, ...] = ()

    @property
    def child_ids(self) -> tuple[str, ...]:
        return tuple(link.child_id for link in self.children)

    @property
    def iam_codes(self) -> tuple[str, ...]:
        return tuple(link.iam_code for link in self.children)

    def has_child(self, child_id: str) -> bool:
        return child_id in self.child_ids


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    account: ParentAccount | None
    error: IdentityError | None = None


def check_password(
    account: ParentAccount | None,
    password: str,
    *,
    now: datetime,
    hasher: PasswordHasher,
    lockout: LockoutPolicy,
) -> PasswordCheck:
    """Password step of a login (seed 000: IAM code + password, then SMS OTP).

    Unknown IAM code, wrong password and a password lockout all give ``LoginFailed``, and
    all run one argon2 verification, so neither the answer nor its timing reveals whether
    an IAM code exists. A right password rehashes when the argon2 parameters have changed.
    """
    require_aware(now)
    if account is None:
        hasher.verify(None, password)
        return PasswordCheck(None, LoginFailed("login failed"))
    matches = hasher.verify(account.password_hash, password)
    if account.password_failures.is_locked(now):
        return PasswordCheck(account, LoginFailed("login failed"))
    if not matches:
        failures = record_failure(account.password_failures, now=now, policy=lockout)
        return PasswordCheck(
            replace(account, password_failures=failures), LoginFailed("login failed")
        )
    if account.status is not AccountStatus.ACTIVE:
        return PasswordCheck(account, AccountNotActive("account suspended"))
    updated = replace(account, password_failures=record_success(account.password_failures))
    if hasher.needs_rehash(account.password_hash):
        updated = replace(updated, password_hash=hasher.hash(password))
    return PasswordCheck(updated)


@dataclass(frozen=True, slots=True)
class OtpStep:
    """Result of an OTP entry on an account; ``challenge`` is None when the flow is over
    (accepted, expired, used up, or the account got locked)."""

    account: ParentAccount
    challenge: OtpChallenge | None
    error: IdentityError | None = None

    @property
    def accepted(self) -> bool:
        return self.error is None


def enter_account_otp(
    account: ParentAccount,
    challenge: OtpChallenge,
    code: str,
    *,
    purpose: OtpPurpose,
    now: datetime,
    lockout: LockoutPolicy,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> OtpStep:
    """Check a code sent by SMS for ``purpose``; wrong codes count towards the account's OTP
    lockout (separate from password failures) and a lockout ends the pending flow."""
    if account.otp_failures.is_locked(now):
        return OtpStep(account, None, TooManyAttempts(account.otp_failures.retry_after(now)))
    if challenge.purpose is not purpose:
        return OtpStep(account, None, OtpRejected("otp.wrong_purpose"))
    check = check_otp(challenge, code, now=now, policy=otp_policy)
    if check.accepted:
        return OtpStep(replace(account, otp_failures=record_success(account.otp_failures)), None)
    if not check.counts_as_failure:
        return OtpStep(account, None, OtpRejected(f"otp.{check.outcome.value}"))
    failures = record_failure(account.otp_failures, now=now, policy=lockout)
    locked = replace(account, otp_failures=failures)
    if failures.is_locked(now):
        return OtpStep(locked, None, TooManyAttempts(failures.retry_after(now)))
    remaining = check.challenge if check.challenge.attempts < otp_policy.max_attempts else None
    return OtpStep(locked, remaining, OtpRejected("otp.wrong"))


def revoke_sessions(account: ParentAccount, *, now: datetime) -> ParentAccount:
    """Every refresh-token family created before ``now`` stops working (``sessions.py``)."""
    return replace(account, sessions_valid_after=require_aware(now))
