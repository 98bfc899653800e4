"""Key rotation reaches a running identity: ``csa identity rotate-keys`` in another process,
the running app signs with the new key and publishes both after its reload interval; a
verifier elsewhere accepts new and old tokens until the old key is retired."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import update

from csa_identity.tables import signing_keys
from csa_shared.auth import InvalidToken, TokenVerifier
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import audience_of

from .conftest import PASSWORD, Clock, last_sms_code, register

pytestmark = pytest.mark.postgres

CSA = Path(sys.executable).with_name("csa")


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def login(api: httpx.AsyncClient, iam_code: str) -> str:
    started = await api.post("/v1/login", json={"iam_code": iam_code, "password": PASSWORD})
    assert started.status_code == 202, started.text
    done = await api.post(
        "/v1/login/complete",
        json={"flow_id": started.json()["flow_id"], "code": await last_sms_code(api)},
    )
    assert done.status_code == 200, done.text
    return str(done.json()["access_token"])


async def published(api: httpx.AsyncClient) -> set[str]:
    return {key["kid"] for key in (await api.get("/.well-known/jwks.json")).json()["keys"]}


def rotate_in_another_process(identity: ServiceRuntime) -> None:
    env = {
        **os.environ,
        "IDENTITY_DATABASE_URL": identity.settings.database_url("identity"),
        "CSA_VAR_DIR": str(identity.settings.var_dir),
    }
    done = subprocess.run(
        [str(CSA), "identity", "rotate-keys"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


async def test_rotation_reaches_the_running_identity_and_the_verifiers(
    api: httpx.AsyncClient, identity: ServiceRuntime, clock: Clock
) -> None:
    iam_code, first = await register(api, identity)
    old_kid = kid_of(first["access_token"])
    jwks: dict[str, Any] = (await api.get("/.well-known/jwks.json")).json()
    verifier = TokenVerifier(
        lambda: jwks,
        issuer=identity.settings.token_issuer,
        audience=audience_of("membership"),
        clock=clock,
    )
    assert verifier.verify(first["access_token"]).subject

    rotate_in_another_process(identity)
    clock.advance(seconds=5)  # within the reload interval: the loaded set still serves
    assert kid_of(await login(api, iam_code)) == old_kid
    assert await published(api) == {old_kid}

    clock.advance(seconds=60)  # past IDENTITY_KEY_RELOAD_SECONDS (60 s)
    new_token = await login(api, iam_code)
    new_kid = kid_of(new_token)
    assert new_kid != old_kid
    assert await published(api) == {old_kid, new_kid}
    jwks = (await api.get("/.well-known/jwks.json")).json()
    assert verifier.verify(new_token).subject == verifier.verify(first["access_token"]).subject
    assert identity.token_verifier.verify(first["access_token"]).subject

    async with identity.unit_of_work() as session:
        await session.execute(
            update(signing_keys).where(signing_keys.c.kid == old_kid).values(retired_at=clock.now)
        )
    clock.advance(seconds=61)
    assert await published(api) == {new_kid}
    jwks = (await api.get("/.well-known/jwks.json")).json()
    fresh = TokenVerifier(
        lambda: jwks,
        issuer=identity.settings.token_issuer,
        audience=audience_of("billing"),
        clock=clock,
    )
    assert fresh.verify(new_token).subject
    with pytest.raises(InvalidToken, match="unknown key"):
        fresh.verify(first["access_token"])
