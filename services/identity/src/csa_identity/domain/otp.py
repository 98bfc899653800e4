"""SMS one-time passwords (csa-rules.md §9, seed 000).

Six digits from ``pyotp.HOTP`` over a fresh random base32 secret; the challenge records when
the SMS was sent, because the rule is "expires 60 seconds after sending" (not a TOTP step).
Single use; at most 5 attempts per code. Failures also feed the account's OTP lockout
counter (``accounts.py``), separate from password failures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp

from csa_identity.domain.instants import require_aware


class OtpPurpose(StrEnum):
    CONFIRM_ACCOUNT = "confirm-account"
    LOGIN = "login"
    CHANGE_PASSWORD = "change-password"
    CHANGE_MOBILE_OLD = "change-mobile-old"
    CHANGE_MOBILE_NEW = "change-mobile-new"
    REACTIVATE = "reactivate"


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    validity: timedelta = timedelta(seconds=60)
    max_attempts: int = 5
    digits: int = 6


class OtpOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    EXHAUSTED = "exhausted"


@dataclass(frozen=True, slots=True)
class OtpChallenge:
    purpose: OtpPurpose
    phone: str
    secret: str
    counter: int
    sent_at: datetime
    attempts: int = 0
    used_at: datetime | None = None

    def expires_at(self, policy: OtpPolicy) -> datetime:
        return self.sent_at + policy.validity


@dataclass(frozen=True, slots=True)
class SentOtp:
    """The challenge to keep, and the clear code that goes only into the SMS."""

    challenge: OtpChallenge
    code: str


@dataclass(frozen=True, slots=True)
class OtpCheck:
    challenge: OtpChallenge
    outcome: OtpOutcome

    @property
    def accepted(self) -> bool:
        return self.outcome is OtpOutcome.ACCEPTED

    @property
    def counts_as_failure(self) -> bool:
        """A guess that was wrong (expired or replayed codes are not guesses)."""
        return self.outcome is OtpOutcome.WRONG


def issue_otp(
    *,
    purpose: OtpPurpose,
    phone: str,
    now: datetime,
    policy: OtpPolicy = OtpPolicy(),
    secret: str | None = None,
) -> SentOtp:
    """A new challenge sent at ``now`` to ``phone`` (E.164)."""
    secret = secret or pyotp.random_base32()
    challenge = OtpChallenge(
        purpose=purpose, phone=phone, secret=secret, counter=0, sent_at=require_aware(now)
    )
    code = pyotp.HOTP(secret, digits=policy.digits).at(challenge.counter)
    return SentOtp(challenge=challenge, code=code)


def check_otp(
    challenge: OtpChallenge, code: str, *, now: datetime, policy: OtpPolicy = OtpPolicy()
) -> OtpCheck:
    """Compare ``code`` in constant time; expired, used and exhausted codes never match."""
    require_aware(now)
    if challenge.used_at is not None:
        return OtpCheck(challenge, OtpOutcome.USED)
    if challenge.attempts >= policy.max_attempts:
        return OtpCheck(challenge, OtpOutcome.EXHAUSTED)
    if now > challenge.expires_at(policy) or now < challenge.sent_at:
        return OtpCheck(challenge, OtpOutcome.EXPIRED)
    hotp = pyotp.HOTP(challenge.secret, digits=policy.digits)
    typed = code.strip().replace(" ", "")
    if len(typed) == policy.digits and typed.isdigit() and hotp.verify(typed, challenge.counter):
        return OtpCheck(replace(challenge, used_at=now), OtpOutcome.ACCEPTED)
    return OtpCheck(replace(challenge, attempts=challenge.attempts + 1), OtpOutcome.WRONG)
