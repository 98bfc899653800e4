"""Unknown key ids against a real JWKS endpoint (a local HTTP server): the re-fetch is
rate-limited by a cooldown, runs off the event loop, and a failing identity keeps the keys."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from csa_shared.auth import InvalidToken, TokenVerifier
from csa_shared.http.auth import jwks_source, token_verifier
from csa_shared.settings import Settings, audience_of

from .conftest import ISSUER, NOW, ed25519_jwk, parent_claims

Sign = Callable[..., str]


class JwksServer:
    """``GET /.well-known/jwks.json`` from ``document``; counts requests; can fail or hold."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.requests = 0
        self.status = 200
        self.release: threading.Event | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                if owner.release is not None:
                    owner.release.wait(timeout=5)
                body = json.dumps(owner.document).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def settings(self) -> Settings:
        return Settings(IDENTITY_URL=self.url, CSA_TOKEN_ISSUER=ISSUER)


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier(server: JwksServer, ticks: Ticks) -> TokenVerifier:
    return TokenVerifier(
        jwks_source(server.settings()),
        issuer=ISSUER,
        audience="billing",
        refetch_cooldown=timedelta(seconds=30),
        monotonic=ticks,
    )


@time_machine.travel(NOW)
def test_a_flood_of_unknown_kids_fetches_once_per_cooldown(
    jwks_server: JwksServer, key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    jwks_server.document = {"keys": [ed25519_jwk(key_a, "k1")]}
    ticks = Ticks()
    checker = verifier(jwks_server, ticks)
    assert jwks_server.requests == 1
    assert checker.verify(sign(key_a, "k1", parent_claims())).subject == "parent-1"
    ticks.now += 31  # past the cooldown of the start-up fetch
    for n in range(50):
        with pytest.raises(InvalidToken, match="unknown key"):
            checker.verify(sign(key_b, f"bogus-{n}", parent_claims()))
    assert jwks_server.requests == 2  # one re-fetch for the whole flood

    jwks_server.document = {"keys": [ed25519_jwk(key_b, "k2"), ed25519_jwk(key_a, "k1")]}
    rotated = sign(key_b, "k2", parent_claims())
    ticks.now += 10
    with pytest.raises(InvalidToken, match="unknown key"):
        checker.verify(rotated)  # still cooling down
    assert jwks_server.requests == 2
    ticks.now += 21
    assert checker.verify(rotated).subject == "parent-1"
    assert checker.verify(sign(key_a, "k1", parent_claims())).subject == "parent-1"
    assert jwks_server.requests == 3


def test_the_platform_verifier_over_http_has_the_cooldown(
    jwks_server: JwksServer, key_a: Ed25519PrivateKey, sign: Sign
) -> None:
    checker = token_verifier(jwks_server.settings(), "billing")
    for n in range(20):
        with time_machine.travel(NOW), pytest.raises(InvalidToken):
            checker.verify(sign(key_a, f"bogus-{n}", parent_claims(aud=audience_of("billing"))))
    assert jwks_server.requests == 1  # the start-up fetch only: 30 s cooldown by default


@time_machine.travel(NOW)
def test_identity_down_keeps_the_loaded_keys(
    jwks_server: JwksServer, key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    jwks_server.document = {"keys": [ed25519_jwk(key_a, "k1")]}
    ticks = Ticks()
    checker = verifier(jwks_server, ticks)
    jwks_server.status = 503
    ticks.now += 31
    with pytest.raises(InvalidToken, match="unknown key"):
        checker.verify(sign(key_b, "k2", parent_claims()))
    assert checker.verify(sign(key_a, "k1", parent_claims())).subject == "parent-1"


async def test_verify_async_fetches_off_the_event_loop(
    jwks_server: JwksServer, key_a: Ed25519PrivateKey, key_b: Ed25519PrivateKey, sign: Sign
) -> None:
    """The JWKS response is held until a coroutine on the loop releases it: a fetch on the
    loop's thread would block that coroutine and time out."""
    jwks_server.document = {"keys": [ed25519_jwk(key_a, "k1")]}
    ticks = Ticks()
    checker = verifier(jwks_server, ticks)
    with time_machine.travel(NOW):
        token = sign(key_b, "k2", parent_claims())
    jwks_server.document = {"keys": [ed25519_jwk(key_b, "k2")]}
    jwks_server.release = threading.Event()
    ticks.now += 31

    async def release_when_asked() -> None:
        while jwks_server.requests < 2:
            await asyncio.sleep(0)
        jwks_server.release.set()

    releaser = asyncio.create_task(release_when_asked())
    with time_machine.travel(NOW):
        principal = await asyncio.wait_for(checker.verify_async(token), timeout=4)
    await releaser
    assert principal.subject == "parent-1"
