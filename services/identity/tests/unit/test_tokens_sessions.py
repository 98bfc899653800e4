from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from csa_identity.domain.errors import InvalidRefreshToken, RefreshTokenReused
from csa_identity.domain.sessions import (
    family_id_of,
    open_session,
    revoke_session,
    rotate_refresh_token,
)
from csa_identity.domain.tokens import (
    KeySet,
    SigningKey,
    generate_signing_key,
    parent_access_claims,
    sign_access_token,
)
from csa_shared.auth import InvalidToken, PrincipalKind, TokenVerifier

from .conftest import NOW

ISSUER = "https://identity.csa.test"


def parent_token(keys: KeySet) -> str:
    claims = parent_access_claims(
        account_id="acc-1", child_ids=["child-1"], audience=["billing", "membership"]
    )
    return sign_access_token(claims, keys=keys, issuer=ISSUER, now=NOW, jti="j1")


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
@time_machine.travel(NOW + timedelta(minutes=1))
def test_signed_parent_token_verifies_with_shared_verifier(algorithm: str) -> None:
    keys = KeySet(generate_signing_key("k1", algorithm=algorithm))
    verifier = TokenVerifier(keys.jwks(), issuer=ISSUER, audience="billing")
    principal = verifier.verify(parent_token(keys))
    assert principal.kind is PrincipalKind.PARENT
    assert principal.children == {"child-1"}
    assert principal.can_see_child("child-1") and not principal.can_see_child("child-9")


def test_access_token_expires_15_minutes_after_issue() -> None:
    keys = KeySet(generate_signing_key("k1"))
    verifier = TokenVerifier(keys.jwks(), issuer=ISSUER, audience="billing", leeway=timedelta(0))
    token = parent_token(keys)
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        verifier.verify(token)
    with time_machine.travel(NOW + timedelta(minutes=15, seconds=1)), pytest.raises(InvalidToken):
        verifier.verify(token)


@time_machine.travel(NOW + timedelta(minutes=1))
def test_token_of_rotated_out_key_verifies_until_dropped_from_jwks() -> None:
    keys = KeySet(generate_signing_key("k1"))
    old_token = parent_token(keys)
    rotated = keys.rotate(generate_signing_key("k2"))
    assert [k["kid"] for k in rotated.jwks()["keys"]] == ["k2", "k1"]
    TokenVerifier(rotated.jwks(), issuer=ISSUER, audience="billing").verify(old_token)
    dropped = rotated.rotate(generate_signing_key("k3"), keep_previous=1)
    with pytest.raises(InvalidToken):
        TokenVerifier(dropped.jwks(), issuer=ISSUER, audience="billing").verify(old_token)


def test_signing_key_survives_pem_round_trip() -> None:
    key = generate_signing_key("k1")
    restored = SigningKey.from_pem("k1", key.to_pem())
    assert restored.verification_key().jwk() == key.verification_key().jwk()
    assert "d" not in KeySet(key).jwks()["keys"][0]


def test_refresh_rotation_returns_new_token_and_reuse_revokes_family() -> None:
    opened = open_session(family_id="fam1", subject="acc-1", now=NOW)
    assert family_id_of(opened.refresh_token) == "fam1"
    first = rotate_refresh_token(
        opened.family,
        opened.refresh_token,
        now=NOW + timedelta(minutes=10),
        sessions_valid_after=NOW,
    )
    assert first.error is None and first.refresh_token is not None
    reused = rotate_refresh_token(
        first.family,
        opened.refresh_token,
        now=NOW + timedelta(minutes=11),
        sessions_valid_after=NOW,
    )
    assert isinstance(reused.error, RefreshTokenReused)
    assert reused.family.revoked_at is not None
    after = rotate_refresh_token(
        reused.family,
        first.refresh_token,
        now=NOW + timedelta(minutes=12),
        sessions_valid_after=NOW,
    )
    assert isinstance(after.error, InvalidRefreshToken) and after.refresh_token is None


def test_logout_revokes_and_reactivation_invalidates_older_families() -> None:
    opened = open_session(family_id="fam1", subject="acc-1", now=NOW)
    logged_out = revoke_session(opened.family, now=NOW)
    assert rotate_refresh_token(
        logged_out, opened.refresh_token, now=NOW, sessions_valid_after=NOW
    ).error
    reactivated_at = NOW + timedelta(hours=1)
    stale = rotate_refresh_token(
        opened.family, opened.refresh_token, now=reactivated_at, sessions_valid_after=reactivated_at
    )
    assert isinstance(stale.error, InvalidRefreshToken)


def test_refresh_token_idle_for_more_than_12_hours_is_refused() -> None:
    opened = open_session(family_id="fam1", subject="acc-1", now=NOW)
    late = NOW + timedelta(hours=12, seconds=1)
    step = rotate_refresh_token(
        opened.family, opened.refresh_token, now=late, sessions_valid_after=NOW
    )
    assert isinstance(step.error, InvalidRefreshToken)
