from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from csa_identity.domain.accounts import ParentAccount
from csa_identity.domain.codes import CodeHasher
from csa_identity.domain.errors import (
    LinkingCodeRejected,
    LoginFailed,
    OtpRejected,
    SmsRateLimited,
    TooManyAttempts,
    WeakPassword,
)
from csa_identity.domain.lockout import LockoutPolicy
from csa_identity.domain.login import begin_login, complete_login
from csa_identity.domain.mycard import IssuedCard, spend_linking_code
from csa_identity.domain.passwords import PasswordHasher, PasswordPolicy
from csa_identity.domain.registration import confirm_registration, start_registration
from csa_identity.domain.sms_limits import SmsHistory

from .conftest import GOOD_PASSWORD, MOBILE, NOW


def start(issued: IssuedCard, code_hasher, hasher, policy, **overrides):
    kwargs = dict(
        linking_code=issued.linking_code,
        password=GOOD_PASSWORD,
        mobile="621 123 456",
        now=NOW,
        code_hasher=code_hasher,
        password_hasher=hasher,
        password_policy=policy,
        sms_history=SmsHistory(),
    )
    kwargs.update(overrides)
    return start_registration(issued.card, **kwargs)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_registration_with_right_otp_creates_active_account_and_spends_linking_code(
    issued: IssuedCard, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    started = start(issued, code_hasher, hasher, policy)
    assert started.pending.mobile == MOBILE
    done = confirm_registration(
        started.pending, issued.card, sms_code=started.sms_code, account_id="a1", now=NOW
    )
    assert done.error is None
    assert done.account is not None and done.card is not None
    assert done.account.child_ids == ("child-1",)
    assert done.account.iam_codes == ("MusMa123",)
    assert hasher.verify(done.account.password_hash, GOOD_PASSWORD)
    assert done.card.linking_code_spent_at == NOW


def test_registration_refuses_weak_password_and_wrong_linking_code(
    issued: IssuedCard, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    with pytest.raises(WeakPassword):
        start(issued, code_hasher, hasher, policy, password="MusMa123-abcdefgh")
    with pytest.raises(LinkingCodeRejected):
        start(issued, code_hasher, hasher, policy, linking_code="AAAA-BBBB-CCCC-DDDD")


def test_registration_refused_when_number_got_too_many_sms(
    issued: IssuedCard, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    history = SmsHistory(number_sends=(NOW, NOW, NOW))
    with pytest.raises(SmsRateLimited):
        start(issued, code_hasher, hasher, policy, sms_history=history)


def test_registration_expired_otp_ends_pending_without_account(
    issued: IssuedCard, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    started = start(issued, code_hasher, hasher, policy)
    late = NOW + timedelta(seconds=61)
    done = confirm_registration(
        started.pending, issued.card, sms_code=started.sms_code, account_id="a1", now=late
    )
    assert isinstance(done.error, OtpRejected) and done.error.reason == "otp.expired"
    assert done.account is None and done.pending is None


def test_registration_wrong_otp_keeps_pending_with_attempt_counted(
    issued: IssuedCard, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    started = start(issued, code_hasher, hasher, policy)
    done = confirm_registration(
        started.pending, issued.card, sms_code=wrong(started.sms_code), account_id="a1", now=NOW
    )
    assert done.pending is not None and done.pending.otp.attempts == 1
    assert done.account is None


def test_registration_refused_when_linking_code_spent_meanwhile(
    issued: IssuedCard, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    started = start(issued, code_hasher, hasher, policy)
    spent_by_other = spend_linking_code(issued.card, now=NOW)
    done = confirm_registration(
        started.pending, spent_by_other, sms_code=started.sms_code, account_id="a1", now=NOW
    )
    assert isinstance(done.error, LinkingCodeRejected)
    assert done.account is None


def login(account, hasher, lockout, *, password=GOOD_PASSWORD, iam_code="MusMa123", now=NOW):
    return begin_login(
        account,
        iam_code=iam_code,
        password=password,
        now=now,
        hasher=hasher,
        lockout=lockout,
        sms_history=SmsHistory(),
    )


def test_login_with_password_then_otp_succeeds_and_resets_counters(
    account: ParentAccount, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    step = login(account, hasher, lockout)
    assert step.error is None and step.pending is not None and step.sms_code is not None
    assert step.pending.otp.phone == MOBILE
    done = complete_login(account, step.pending, sms_code=step.sms_code, now=NOW, lockout=lockout)
    assert done.error is None and done.pending is None


def test_unknown_iam_code_and_wrong_password_give_the_same_error_type(
    account: ParentAccount, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    unknown = login(None, hasher, lockout, iam_code="NobOd999")
    wrong_password = login(account, hasher, lockout, password="not the password!")
    assert type(unknown.error) is LoginFailed
    assert type(wrong_password.error) is LoginFailed
    assert str(unknown.error) == str(wrong_password.error)


def test_password_brute_force_locks_and_lock_holds_for_the_right_password(
    account: ParentAccount, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    for _ in range(5):
        step = login(account, hasher, lockout, password="guess guess guess")
        account = step.account
    assert account.password_failures.is_locked(NOW)
    assert account.otp_failures.failures == 0
    held = login(account, hasher, lockout, now=NOW + timedelta(seconds=30))
    assert type(held.error) is LoginFailed and held.pending is None
    after = login(account, hasher, lockout, now=NOW + timedelta(minutes=1))
    assert after.error is None and after.pending is not None


def test_otp_brute_force_locks_ends_pending_login_and_keeps_password_counter_clean(
    account: ParentAccount, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    failures = 0
    while True:
        step = login(account, hasher, lockout)
        assert step.pending is not None and step.sms_code is not None
        pending, code = step.pending, step.sms_code
        while pending is not None:
            done = complete_login(
                step.account, pending, sms_code=wrong(code), now=NOW, lockout=lockout
            )
            failures += 1
            account, pending = done.account, done.pending
            step = type(step)(account, pending, code)
        if isinstance(done.error, TooManyAttempts):
            break
    assert failures == 5
    assert done.error.retry_after == timedelta(minutes=1)
    assert account.password_failures.failures == 0
    blocked = login(account, hasher, lockout)
    assert isinstance(blocked.error, TooManyAttempts) and blocked.pending is None


def test_login_code_reused_after_success_is_rejected(
    account: ParentAccount, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    step = login(account, hasher, lockout)
    assert step.pending is not None and step.sms_code is not None
    first = complete_login(account, step.pending, sms_code=step.sms_code, now=NOW, lockout=lockout)
    assert first.error is None
    used = replace(step.pending, otp=replace(step.pending.otp, used_at=NOW))
    again = complete_login(first.account, used, sms_code=step.sms_code, now=NOW, lockout=lockout)
    assert isinstance(again.error, OtpRejected) and again.error.reason == "otp.used"


def test_login_with_iam_code_of_other_account_is_login_failed(
    account: ParentAccount, hasher: PasswordHasher, lockout: LockoutPolicy
) -> None:
    step = login(account, hasher, lockout, iam_code="OthEr111")
    assert type(step.error) is LoginFailed
