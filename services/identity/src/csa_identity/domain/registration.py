"""Creating a parent account (csa-rules.md §9, seed 000).

Step 1: IAM code + linking code + password + mobile → an SMS OTP to that mobile.
Step 2: the OTP → an active account with the child attached; the linking code is spent.
The linking code is checked again at step 2: another parent may have used it meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from csa_identity.domain.accounts import ChildLink, ParentAccount
from csa_identity.domain.codes import CodeHasher
from csa_identity.domain.errors import IdentityError, LinkingCodeRejected, OtpRejected
from csa_identity.domain.mycard import MyCard, check_linking_code, spend_linking_code
from csa_identity.domain.otp import OtpChallenge, OtpPolicy, OtpPurpose, check_otp, issue_otp
from csa_identity.domain.passwords import PasswordHasher, PasswordPolicy, check_new_password
from csa_identity.domain.phone import normalise_mobile
from csa_identity.domain.sms_limits import SmsHistory


@dataclass(frozen=True, slots=True)
class PendingRegistration:
    child_id: str
    iam_code: str
    linking_code_hash: str
    password_hash: str
    mobile: str
    otp: OtpChallenge
    started_at: datetime


@dataclass(frozen=True, slots=True)
class RegistrationStarted:
    pending: PendingRegistration
    sms_code: str


def start_registration(
    card: MyCard | None,
    *,
    linking_code: str,
    password: str,
    mobile: str,
    now: datetime,
    code_hasher: CodeHasher,
    password_hasher: PasswordHasher,
    password_policy: PasswordPolicy,
    sms_history: SmsHistory,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> RegistrationStarted:
    """Check the card's linking code, the password policy and the mobile number, then send
    the OTP. Raises ``LinkingCodeRejected``/``CardExpired``/``WeakPassword``/
    ``InvalidPhoneNumber``/``SmsRateLimited``; nothing needs saving on failure."""
    card = check_linking_code(card, linking_code, now=now, hasher=code_hasher)
    accepted = check_new_password(password, policy=password_policy, iam_codes=[card.iam_code])
    e164 = normalise_mobile(mobile)
    sms_history.ensure_allowed(now=now)
    sent = issue_otp(purpose=OtpPurpose.CONFIRM_ACCOUNT, phone=e164, now=now, policy=otp_policy)
    pending = PendingRegistration(
        child_id=card.child_id,
        iam_code=card.iam_code,
        linking_code_hash=card.linking_code_hash,
        password_hash=password_hasher.hash(accepted),
        mobile=e164,
        otp=sent.challenge,
        started_at=now,
    )
    return RegistrationStarted(pending=pending, sms_code=sent.code)


@dataclass(frozen=True, slots=True)
class RegistrationConfirmation:
    """On success ``account`` and the spent ``card`` are to be saved and ``pending`` deleted;
    on a wrong code ``pending`` carries the counted attempt (None once it cannot go on)."""

    pending: PendingRegistration | None
    account: ParentAccount | None = None
    card: MyCard | None = None
    error: IdentityError | None = None


def confirm_registration(
    pending: PendingRegistration,
    card: MyCard,
    *,
    sms_code: str,
    account_id: str,
    now: datetime,
    otp_policy: OtpPolicy = OtpPolicy(),
) -> RegistrationConfirmation:
    """The mobile number is validated by the OTP: the account is active, the child
    attached and its linking code spent (seed 000)."""
    check = check_otp(pending.otp, sms_code, now=now, policy=otp_policy)
    if not check.accepted:
        still_open = check.counts_as_failure and check.challenge.attempts < otp_policy.max_attempts
        kept = replace(pending, otp=check.challenge) if still_open else None
        return RegistrationConfirmation(kept, error=OtpRejected(f"otp.{check.outcome.value}"))
    if (
        card.child_id != pending.child_id
        or card.linking_code_hash != pending.linking_code_hash
        or card.linking_code_spent_at is not None
    ):
        return RegistrationConfirmation(None, error=LinkingCodeRejected("linking code not valid"))
    account = ParentAccount(
        account_id=account_id,
        password_hash=pending.password_hash,
        mobile=pending.mobile,
        children=(ChildLink(pending.child_id, pending.iam_code, now),),
        created_at=now,
        sessions_valid_after=now,
    )
    return RegistrationConfirmation(None, account, spend_linking_code(card, now=now))
