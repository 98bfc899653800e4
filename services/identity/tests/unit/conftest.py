"""Shared fixtures: cheap argon2, a pepper, a fixed instant and ready-made card/account."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from csa_identity.domain.accounts import ChildLink, ParentAccount
from csa_identity.domain.codes import CodeHasher, Pepper
from csa_identity.domain.lockout import LockoutPolicy
from csa_identity.domain.mycard import IssuedCard, issue_card
from csa_identity.domain.passwords import (
    CHEAP_ARGON2_FOR_TESTS,
    PasswordHasher,
    PasswordPolicy,
    load_common_passwords,
)

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
GOOD_PASSWORD = "Kiischte-Bam am Gaart 7"
MOBILE = "+352621123456"


@pytest.fixture(scope="session")
def hasher() -> PasswordHasher:
    return PasswordHasher(CHEAP_ARGON2_FOR_TESTS)


@pytest.fixture(scope="session")
def code_hasher() -> CodeHasher:
    return CodeHasher(Pepper("p1", b"x" * 32))


@pytest.fixture(scope="session")
def policy() -> PasswordPolicy:
    return PasswordPolicy(load_common_passwords())


@pytest.fixture
def lockout() -> LockoutPolicy:
    return LockoutPolicy()


@pytest.fixture
def issued(code_hasher: CodeHasher) -> IssuedCard:
    return issue_card(
        child_id="child-1",
        iam_code="MusMa123",
        birth_date=date(2019, 5, 4),
        now=NOW - timedelta(days=10),
        hasher=code_hasher,
        randbelow=random.Random(1).randrange,
    )


@pytest.fixture
def second_card(code_hasher: CodeHasher) -> IssuedCard:
    return issue_card(
        child_id="child-2",
        iam_code="MusLe456",
        birth_date=date(2021, 1, 2),
        now=NOW - timedelta(days=10),
        hasher=code_hasher,
        randbelow=random.Random(2).randrange,
    )


@pytest.fixture
def account(hasher: PasswordHasher) -> ParentAccount:
    created = NOW - timedelta(days=5)
    return ParentAccount(
        account_id="acc-1",
        password_hash=hasher.hash(GOOD_PASSWORD),
        mobile=MOBILE,
        children=(ChildLink("child-1", "MusMa123", created),),
        created_at=created,
        sessions_valid_after=created,
    )
