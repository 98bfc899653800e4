from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from csa_identity.domain.accounts import ParentAccount
from csa_identity.domain.activation import (
    complete_reactivation,
    issue_activation_code,
    may_send_letter,
    start_reactivation,
)
from csa_identity.domain.codes import CodeHasher
from csa_identity.domain.errors import (
    ActivationCodeRejected,
    ChildAlreadyAttached,
    LastChildCannotBeDetached,
    LinkingCodeRejected,
    WrongCurrentPassword,
)
from csa_identity.domain.lockout import LockoutPolicy
from csa_identity.domain.mycard import IssuedCard
from csa_identity.domain.otp import OtpPurpose
from csa_identity.domain.passwords import PasswordHasher, PasswordPolicy
from csa_identity.domain.sms_limits import SmsHistory
from csa_identity.domain.virtual_office import (
    attach_child,
    begin_mobile_change,
    begin_password_change,
    confirm_change,
    detach_child,
)

from .conftest import GOOD_PASSWORD, MOBILE, NOW

NEW_PASSWORD = "Rout Wäin vun der Musel 42"


def test_detaching_the_last_child_is_refused(account: ParentAccount) -> None:
    with pytest.raises(LastChildCannotBeDetached):
        detach_child(account, child_id="child-1")


def test_attach_second_child_then_detach_first_leaves_second(
    account: ParentAccount, second_card: IssuedCard, code_hasher: CodeHasher
) -> None:
    attached = attach_child(
        account,
        second_card.card,
        linking_code=second_card.linking_code,
        now=NOW,
        hasher=code_hasher,
    )
    assert attached.account.iam_codes == ("MusMa123", "MusLe456")
    assert attached.card.linking_code_spent_at == NOW
    assert detach_child(attached.account, child_id="child-1").child_ids == ("child-2",)
    with pytest.raises(LinkingCodeRejected):
        attach_child(
            account,
            attached.card,
            linking_code=second_card.linking_code,
            now=NOW,
            hasher=code_hasher,
        )


def test_attaching_an_already_attached_child_is_refused(
    account: ParentAccount, issued: IssuedCard, code_hasher: CodeHasher
) -> None:
    with pytest.raises(ChildAlreadyAttached):
        attach_child(
            account, issued.card, linking_code=issued.linking_code, now=NOW, hasher=code_hasher
        )


def test_mobile_change_sends_first_otp_to_old_number_then_to_new(
    account: ParentAccount, lockout: LockoutPolicy
) -> None:
    step = begin_mobile_change(account, new_mobile="691 234 567", now=NOW, sms_history=SmsHistory())
    assert step.pending is not None and step.sms_code is not None
    assert step.pending.otp.phone == MOBILE
    assert step.pending.otp.purpose is OtpPurpose.CHANGE_MOBILE_OLD
    second = confirm_change(account, step.pending, sms_code=step.sms_code, now=NOW, lockout=lockout)
    assert second.pending is not None and second.sms_code is not None
    assert second.pending.otp.phone == "+352691234567"
    assert second.account.mobile == MOBILE
    done = confirm_change(
        second.account, second.pending, sms_code=second.sms_code, now=NOW, lockout=lockout
    )
    assert done.error is None and done.account.mobile == "+352691234567"


def test_password_change_with_wrong_current_password_counts_a_failure(
    account: ParentAccount, hasher: PasswordHasher, policy: PasswordPolicy, lockout: LockoutPolicy
) -> None:
    step = begin_password_change(
        account,
        current_password="wrong current pw",
        new_password=NEW_PASSWORD,
        now=NOW,
        hasher=hasher,
        policy=policy,
        lockout=lockout,
        sms_history=SmsHistory(),
    )
    assert isinstance(step.error, WrongCurrentPassword)
    assert step.account.password_failures.failures == 1


def test_password_change_applies_after_otp_and_revokes_sessions(
    account: ParentAccount, hasher: PasswordHasher, policy: PasswordPolicy, lockout: LockoutPolicy
) -> None:
    step = begin_password_change(
        account,
        current_password=GOOD_PASSWORD,
        new_password=NEW_PASSWORD,
        now=NOW,
        hasher=hasher,
        policy=policy,
        lockout=lockout,
        sms_history=SmsHistory(),
    )
    assert step.pending is not None and step.sms_code is not None
    done = confirm_change(
        step.account, step.pending, sms_code=step.sms_code, now=NOW, lockout=lockout
    )
    assert hasher.verify(done.account.password_hash, NEW_PASSWORD)
    assert done.account.sessions_valid_after == NOW


def reactivate(account, letter, code, code_hasher, hasher, policy, now=NOW):
    return start_reactivation(
        account,
        letter.activation,
        code=code,
        new_password=NEW_PASSWORD,
        mobile="691 234 567",
        now=now,
        code_hasher=code_hasher,
        password_hasher=hasher,
        password_policy=policy,
        sms_history=SmsHistory(),
    )


def test_activation_code_resets_password_mobile_lockouts_and_sessions(
    account: ParentAccount, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    letter = issue_activation_code(account, now=NOW, hasher=code_hasher)
    assert letter.activation.expires_at == NOW + timedelta(days=30)
    later = NOW + timedelta(days=29)
    step = reactivate(account, letter, letter.code, code_hasher, hasher, policy, now=later)
    assert step.pending is not None and step.sms_code is not None
    done = complete_reactivation(
        account, letter.activation, step.pending, sms_code=step.sms_code, now=later
    )
    assert done.account is not None and done.activation is not None
    assert done.account.mobile == "+352691234567"
    assert hasher.verify(done.account.password_hash, NEW_PASSWORD)
    assert done.account.sessions_valid_after == later
    assert done.activation.used_at == later
    again = reactivate(
        done.account,
        type(letter)(done.activation, letter.code),
        letter.code,
        code_hasher,
        hasher,
        policy,
        now=later,
    )
    assert isinstance(again.error, ActivationCodeRejected)


def test_activation_code_expired_after_30_days_is_rejected(
    account: ParentAccount, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    letter = issue_activation_code(account, now=NOW, hasher=code_hasher)
    late = NOW + timedelta(days=30, seconds=1)
    step = reactivate(account, letter, letter.code, code_hasher, hasher, policy, now=late)
    assert isinstance(step.error, ActivationCodeRejected) and step.pending is None


def test_wrong_activation_code_counts_and_tenth_wrong_voids_the_code(
    account: ParentAccount, code_hasher: CodeHasher, hasher: PasswordHasher, policy: PasswordPolicy
) -> None:
    letter = issue_activation_code(account, now=NOW, hasher=code_hasher)
    for _ in range(10):
        step = reactivate(account, letter, "AAAA-BBBB-CCCC-DDDD", code_hasher, hasher, policy)
        letter = type(letter)(step.activation, letter.code)
    assert letter.activation.attempts == 10
    step = reactivate(account, letter, letter.code, code_hasher, hasher, policy)
    assert isinstance(step.error, ActivationCodeRejected)


def test_one_activation_letter_a_day_while_the_code_is_unused(
    account: ParentAccount, code_hasher: CodeHasher
) -> None:
    activation = issue_activation_code(account, now=NOW, hasher=code_hasher).activation
    assert may_send_letter(None, now=NOW)
    assert not may_send_letter(activation, now=NOW + timedelta(hours=23))
    assert may_send_letter(activation, now=NOW + timedelta(days=1))
    assert may_send_letter(replace(activation, used_at=NOW), now=NOW + timedelta(minutes=1))
