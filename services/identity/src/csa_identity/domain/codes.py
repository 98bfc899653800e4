"""Random codes printed on letters (linking, activation) and how they are stored.

Alphabet: digits and capitals without the look-alikes 0, O, 1, I and L (31 symbols,
log2(31) ≈ 4.95 bits each). The default 16 symbols give ≈ 79 bits (brief: ≥ 60 bits),
printed in groups of four: ``K7QX-M2RT-9WHB-CZ4N``.

Storage: HMAC-SHA256 keyed with a server *pepper* kept outside the database, compared in
constant time. A slow hash (argon2id) protects low-entropy human passwords; these codes are
machine-generated with ≥ 60 bits, so an offline search is infeasible anyway, and the pepper
makes a stolen table useless on its own. HMAC is deterministic, so the adapter can also index
the digest, and it is cheap, so verification cannot be turned into a CPU denial of service.
The digest names its pepper (``hmac-sha256$<key_id>$<hex>``) so the pepper can be rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

UNAMBIGUOUS_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

RandomBelow = Callable[[int], int]
"""A random source: ``randbelow(n)`` is an int in ``[0, n)``; default ``secrets.randbelow``."""


def code_entropy_bits(length: int, alphabet: str = UNAMBIGUOUS_ALPHABET) -> float:
    return length * math.log2(len(alphabet))


def generate_code(
    *, randbelow: RandomBelow = secrets.randbelow, length: int = 16, group: int = 4
) -> str:
    """A random code in the unambiguous alphabet, grouped with dashes for reading."""
    symbols = [UNAMBIGUOUS_ALPHABET[randbelow(len(UNAMBIGUOUS_ALPHABET))] for _ in range(length)]
    groups = ["".join(symbols[i : i + group]) for i in range(0, length, group)]
    return "-".join(groups)


def normalise_code(raw: str) -> str:
    """What the parent typed, without spaces or dashes and in capitals."""
    return "".join(ch for ch in raw.upper() if ch not in " -\t")


@dataclass(frozen=True, slots=True)
class Pepper:
    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < 32:
            raise ValueError("a pepper needs at least 32 bytes")
        if "$" in self.key_id:
            raise ValueError("pepper key_id must not contain '$'")


@dataclass(frozen=True, slots=True)
class CodeHasher:
    """HMAC-SHA256 with the current pepper; previous peppers still verify old digests."""

    current: Pepper
    previous: tuple[Pepper, ...] = ()

    def hash(self, code: str) -> str:
        return _digest(self.current, normalise_code(code))

    def verify(self, code: str, stored: str) -> bool:
        """Constant-time comparison of ``code`` with the stored digest."""
        parts = stored.split("$")
        if len(parts) != 3 or parts[0] != "hmac-sha256":
            return False
        pepper = next((p for p in (self.current, *self.previous) if p.key_id == parts[1]), None)
        if pepper is None:
            return False
        return hmac.compare_digest(_digest(pepper, normalise_code(code)), stored)


def _digest(pepper: Pepper, normalised: str) -> str:
    mac = hmac.new(pepper.secret, normalised.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256${pepper.key_id}${mac}"
