from __future__ import annotations

from datetime import timedelta

import pytest

from csa_identity.domain.errors import SmsRateLimited
from csa_identity.domain.lockout import (
    FailureCounter,
    LockoutPolicy,
    record_failure,
    record_success,
)
from csa_identity.domain.otp import OtpOutcome, OtpPurpose, check_otp, issue_otp
from csa_identity.domain.sms_limits import SmsHistory, wait_before_next_send

from .conftest import MOBILE, NOW


def sent():
    return issue_otp(purpose=OtpPurpose.LOGIN, phone=MOBILE, now=NOW)


def test_otp_is_six_digits_and_accepted_at_60_seconds() -> None:
    otp = sent()
    assert len(otp.code) == 6 and otp.code.isdigit()
    check = check_otp(otp.challenge, otp.code, now=NOW + timedelta(seconds=60))
    assert check.outcome is OtpOutcome.ACCEPTED
    assert check.challenge.used_at == NOW + timedelta(seconds=60)


def test_otp_expired_61_seconds_after_sending() -> None:
    otp = sent()
    check = check_otp(otp.challenge, otp.code, now=NOW + timedelta(seconds=61))
    assert check.outcome is OtpOutcome.EXPIRED
    assert not check.counts_as_failure


def test_otp_reused_after_acceptance_is_rejected() -> None:
    otp = sent()
    used = check_otp(otp.challenge, otp.code, now=NOW).challenge
    assert check_otp(used, otp.code, now=NOW).outcome is OtpOutcome.USED


def test_wrong_otp_counts_an_attempt_and_sixth_try_is_exhausted_even_if_right() -> None:
    otp = sent()
    wrong = "000000" if otp.code != "000000" else "111111"
    challenge = otp.challenge
    for attempt in range(1, 6):
        check = check_otp(challenge, wrong, now=NOW)
        assert check.outcome is OtpOutcome.WRONG
        challenge = check.challenge
        assert challenge.attempts == attempt
    assert check_otp(challenge, otp.code, now=NOW).outcome is OtpOutcome.EXHAUSTED


def test_two_otps_differ_and_non_digit_input_is_wrong() -> None:
    first, second = sent(), sent()
    assert first.challenge.secret != second.challenge.secret
    assert check_otp(first.challenge, "abcdef", now=NOW).outcome is OtpOutcome.WRONG


def test_fifth_failure_locks_for_one_minute_then_doubling_up_to_one_hour() -> None:
    policy = LockoutPolicy()
    counter = FailureCounter()
    waits = []
    now = NOW
    for _ in range(9):
        for _ in range(5):
            counter = record_failure(counter, now=now, policy=policy)
        waits.append(counter.retry_after(now))
        now = counter.locked_until or now
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_four_failures_do_not_lock_and_success_resets() -> None:
    counter = FailureCounter()
    for _ in range(4):
        counter = record_failure(counter, now=NOW, policy=LockoutPolicy())
    assert not counter.is_locked(NOW)
    assert record_success(counter) == FailureCounter()


def test_lock_holds_until_its_end_and_is_over_after() -> None:
    counter = FailureCounter()
    for _ in range(5):
        counter = record_failure(counter, now=NOW, policy=LockoutPolicy())
    assert counter.is_locked(NOW + timedelta(seconds=59))
    assert not counter.is_locked(NOW + timedelta(seconds=60))


def test_fourth_sms_in_ten_minutes_waits_until_the_first_leaves_the_window() -> None:
    sends = [NOW - timedelta(minutes=9), NOW - timedelta(minutes=5), NOW - timedelta(minutes=1)]
    assert wait_before_next_send(sends, now=NOW) == timedelta(minutes=1)
    assert wait_before_next_send(sends[1:], now=NOW) == timedelta(0)


def test_eleventh_sms_in_a_day_is_refused_even_when_spread_out() -> None:
    sends = [NOW - timedelta(hours=h) for h in range(1, 11)]
    assert wait_before_next_send(sends, now=NOW) == timedelta(hours=14)


def test_number_limit_applies_across_accounts() -> None:
    history = SmsHistory(
        account_sends=(),
        number_sends=tuple(NOW - timedelta(minutes=m) for m in (1, 2, 3)),
    )
    with pytest.raises(SmsRateLimited) as limited:
        history.ensure_allowed(now=NOW)
    assert limited.value.retry_after == timedelta(minutes=7)


def test_naive_instant_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        issue_otp(purpose=OtpPurpose.LOGIN, phone=MOBILE, now=NOW.replace(tzinfo=None))
