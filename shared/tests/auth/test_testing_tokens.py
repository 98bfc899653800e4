"""The test token minter produces tokens the shared verifier accepts, and only those."""

from __future__ import annotations

import pytest

from csa_shared.auth import InvalidToken, PrincipalKind
from csa_shared.testing.tokens import TestTokens


def test_minted_provider_token_verifies_for_its_audience() -> None:
    tokens = TestTokens()
    principal = tokens.verifier("attendance").verify(tokens.provider("sea-7"))
    assert (principal.kind, principal.provider_id) == (PrincipalKind.PROVIDER, "sea-7")


def test_token_from_another_key_set_is_refused() -> None:
    with pytest.raises(InvalidToken):
        TestTokens().verifier("billing").verify(TestTokens().parent("acc-1", ["c-1"]))


def test_token_for_another_audience_is_refused() -> None:
    tokens = TestTokens()
    token = tokens.mint(kind="parent", subject="acc-1", audience=["csa-identity"], children=[])
    with pytest.raises(InvalidToken):
        tokens.verifier("billing").verify(token)
