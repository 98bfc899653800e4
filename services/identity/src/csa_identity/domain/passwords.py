"""Parent and agent passwords: NIST SP 800-63B policy and argon2id hashing.

Policy (fixed here): 12 to 128 characters after Unicode NFKC normalisation (NIST's floor is
8; 12 is chosen because the account guards children's personal data and the SMS second
factor does not protect the activation-by-post path). No composition rules, no expiry.
Refused: passwords from the bundled common/breached list, those words decorated only with
digits or symbols at the ends ("Password123!"), repetitions and digit runs
("abcabcabcabc", "123456789012"), and any password containing one of the account's IAM codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

import argon2

from csa_identity.domain.errors import WeakPassword

_DIGIT_RUNS = "01234567890123456789"


def load_common_passwords() -> frozenset[str]:
    """The bundled list (``data/common_passwords.txt``), lower-cased; read once at start-up."""
    text = resources.files("csa_identity.domain").joinpath("data/common_passwords.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    common_passwords: frozenset[str] = field(repr=False)
    min_length: int = 12
    max_length: int = 128


def normalise_password(password: str) -> str:
    """NFKC, as NIST SP 800-63B §5.1.1.2 asks before hashing."""
    return unicodedata.normalize("NFKC", password)


def _core(lowered: str) -> str:
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)


def _is_repetition(lowered: str, common: frozenset[str]) -> bool:
    for size in range(1, len(lowered) // 2 + 1):
        unit = lowered[:size]
        if len(lowered) % size == 0 and unit * (len(lowered) // size) == lowered:
            return size <= 4 or unit in common or _core(unit) in common
    return False


def _is_digit_run(lowered: str) -> bool:
    return lowered.isdigit() and (lowered in _DIGIT_RUNS or lowered in _DIGIT_RUNS[::-1])


def check_new_password(
    password: str, *, policy: PasswordPolicy, iam_codes: Iterable[str] = ()
) -> str:
    """The normalised password, or ``WeakPassword`` with a catalogue key as ``reason``."""
    normalised = normalise_password(password)
    if len(normalised) < policy.min_length:
        raise WeakPassword("password.too_short")
    if len(normalised) > policy.max_length:
        raise WeakPassword("password.too_long")
    lowered = normalised.lower()
    if lowered in policy.common_passwords or _core(lowered) in policy.common_passwords:
        raise WeakPassword("password.common")
    if _is_repetition(lowered, policy.common_passwords) or _is_digit_run(lowered):
        raise WeakPassword("password.repetitive")
    if any(code and code.lower() in lowered for code in iam_codes):
        raise WeakPassword("password.contains_iam_code")
    return normalised


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """argon2id cost; the defaults are RFC 9106's second recommendation (argon2-cffi's)."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


CHEAP_ARGON2_FOR_TESTS = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)


class PasswordHasher:
    """argon2id hashing; ``verify`` spends the same work when the account does not exist."""

    def __init__(self, parameters: Argon2Parameters = Argon2Parameters()) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_cost_kib,
            parallelism=parameters.parallelism,
            type=argon2.Type.ID,
        )

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("no account has this password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise_password(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; with no stored hash, verify against a dummy one so
        an unknown IAM code costs as much time as a wrong password."""
        try:
            return self._hasher.verify(
                stored_hash or self._dummy_hash, normalise_password(password)
            ) and (stored_hash is not None)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
