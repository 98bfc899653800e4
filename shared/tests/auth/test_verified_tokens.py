"""A token verified once is not verified again (issue 24: its signature was a single
request's largest cost), but its times are checked on every use and it is refused once the
key that signed it left the key set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from csa_shared.auth import InvalidToken, TokenVerifier

from .conftest import AUDIENCE, ISSUER, NOW, ed25519_jwk, parent_claims

Sign = Callable[..., str]


@time_machine.travel(NOW)
def test_a_known_token_is_refused_once_its_key_left_the_set(
    key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    document: dict[str, Any] = {"keys": [ed25519_jwk(key_a, "k1")]}
    checker = TokenVerifier(lambda: document, issuer=ISSUER, audience=AUDIENCE)
    old = sign(key_a, "k1", parent_claims())
    first, again = checker.verify(old), checker.verify(old)
    document = {"keys": [ed25519_jwk(key_b, "k2")]}  # k1 withdrawn
    assert checker.verify(sign(key_b, "k2", parent_claims())).subject == "parent-1"  # refetched

    assert again is first  # from memory
    with pytest.raises(InvalidToken, match="unknown key"):
        checker.verify(old)


@time_machine.travel(NOW)
def test_a_forged_copy_of_a_known_token_is_still_checked(
    key_a: Ed25519PrivateKey, sign: Sign
) -> None:
    checker = TokenVerifier({"keys": [ed25519_jwk(key_a, "k1")]}, issuer=ISSUER, audience=AUDIENCE)
    token = sign(key_a, "k1", parent_claims())
    checker.verify(token)
    header, payload, signature = token.split(".")

    with pytest.raises(InvalidToken):
        checker.verify(f"{header}.{payload}.{signature[:-4]}AAAA")
