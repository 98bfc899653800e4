from __future__ import annotations

import pytest

from csa_identity.domain.errors import InvalidPhoneNumber, WeakPassword
from csa_identity.domain.passwords import (
    PasswordHasher,
    PasswordPolicy,
    check_new_password,
    load_common_passwords,
)
from csa_identity.domain.phone import masked, normalise_mobile

from .conftest import GOOD_PASSWORD


def test_bundled_common_password_list_has_hundreds_of_entries() -> None:
    common = load_common_passwords()
    assert len(common) > 700
    assert {"password", "123456", "qwertyuiop", "motdepasse", "passwort"} <= common


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short1!", "password.too_short"),
        ("x" * 129 + "yz", "password.too_long"),
        ("qwertyuiopasdfghjkl", "password.common"),
        ("1q2w3e4r5t6y", "password.common"),
        ("Password123!", "password.common"),
        ("!!Luxembourg2024", "password.common"),
        ("passwordpassword", "password.repetitive"),
        ("abcabcabcabc", "password.repetitive"),
        ("345678901234", "password.repetitive"),
        ("mein-musma123-passwort", "password.contains_iam_code"),
    ],
)
def test_weak_password_is_refused_with_reason(
    policy: PasswordPolicy, password: str, reason: str
) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_new_password(password, policy=policy, iam_codes=["MusMa123"])
    assert refused.value.reason == reason


def test_long_passphrase_without_composition_rules_is_accepted(policy: PasswordPolicy) -> None:
    assert check_new_password("correct horse battery staple", policy=policy) == (
        "correct horse battery staple"
    )
    assert check_new_password(GOOD_PASSWORD, policy=policy, iam_codes=["MusMa123"])


def test_password_length_counts_characters_after_nfkc() -> None:
    policy = PasswordPolicy(frozenset(), min_length=12)
    typed = "ﬁrst ﬁne dy"  # 11 characters as typed, 13 after NFKC ("ﬁ" -> "fi")
    assert len(typed) == 11
    assert check_new_password(typed, policy=policy) == "first fine dy"


def test_argon2id_hash_verifies_only_the_right_password(hasher: PasswordHasher) -> None:
    stored = hasher.hash(GOOD_PASSWORD)
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, GOOD_PASSWORD)
    assert not hasher.verify(stored, GOOD_PASSWORD + "x")
    assert not hasher.verify("not-a-hash", GOOD_PASSWORD)


def test_verify_without_stored_hash_is_false_even_for_the_dummy_password(
    hasher: PasswordHasher,
) -> None:
    assert not hasher.verify(None, "no account has this password")


def test_hash_made_with_cheaper_parameters_needs_rehash(hasher: PasswordHasher) -> None:
    assert PasswordHasher().needs_rehash(hasher.hash(GOOD_PASSWORD))
    assert not hasher.needs_rehash(hasher.hash(GOOD_PASSWORD))


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("621 123 456", "+352621123456"),
        ("+352 691 234 567", "+352691234567"),
        ("00352621123456", "+352621123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_mobile_number_is_stored_as_e164_with_lu_default(raw: str, e164: str) -> None:
    assert normalise_mobile(raw) == e164


@pytest.mark.parametrize("raw", ["", "hello", "+352 12", "62112345678901234", "+999 123456789"])
def test_malformed_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_mobile(raw)


def test_luxembourg_landline_is_refused_as_mobile() -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_mobile("+352 26 12 34 56")


def test_masked_number_shows_only_country_and_last_three_digits() -> None:
    assert masked("+352621123456") == "+352••••••456"
