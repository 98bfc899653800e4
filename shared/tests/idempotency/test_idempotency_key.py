"""``Idempotency-Key`` on POST, as the IETF draft says: replay, 422 on another body, 409
while the first runs; per caller; failures not kept. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import time_machine
from fastapi import APIRouter, Depends, status

from csa_shared.auth import Principal
from csa_shared.http.auth import authenticated
from csa_shared.idempotency.middleware import KEY_LIFETIME, PURGE_EVERY, TABLE
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.tokens import TestTokens

created: list[dict[str, Any]] = []
gate: dict[str, asyncio.Event] = {}
things = APIRouter()


@things.post("/things", status_code=status.HTTP_201_CREATED)
async def create_thing(
    body: dict[str, Any], principal: Principal = Depends(authenticated)
) -> dict[str, Any]:
    if "entered" in gate:  # the concurrency test holds the first request here
        gate["entered"].set()
        await gate["release"].wait()
    if body.get("fail"):
        raise RuntimeError("the database blinked")
    created.append(body)
    return {"id": f"thing-{len(created)}", "by": principal.subject}


TOKENS = TestTokens()
ALICE = TestTokens.header(TOKENS.provider("prov-a"))
BOB = TestTokens.header(TOKENS.provider("prov-b"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def service(
    request: pytest.FixtureRequest, service_app: Callable[..., Any]
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    created.clear()
    gate.clear()
    database: dict[str, str] = {}
    if request.param == "postgres":
        pg_database_url: Callable[[], str] = request.getfixturevalue("pg_database_url")
        database["BILLING_DATABASE_URL"] = pg_database_url()
    runtime, app = service_app([things], **database)
    runtime.token_verifier = TOKENS.verifier("billing")
    async with runtime.engine.begin() as connection:
        await connection.run_sync(runtime.metadata.create_all)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        yield runtime, client


@pytest.fixture
def http(service: tuple[ServiceRuntime, httpx.AsyncClient]) -> httpx.AsyncClient:
    return service[1]


def _key(key: str, caller: dict[str, str] = ALICE) -> dict[str, str]:
    return {**caller, "Idempotency-Key": key}


async def test_a_repeat_with_the_same_key_and_body_gets_the_first_response_replayed(
    http: httpx.AsyncClient,
) -> None:
    first = await http.post("/v1/things", json={"name": "a"}, headers=_key("k-1"))
    again = await http.post("/v1/things", json={"name": "a"}, headers=_key("k-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == "thing-1"
    assert again.json() == first.json()
    assert again.headers["idempotency-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert len(created) == 1
    other = await http.post("/v1/things", json={"name": "a"}, headers=_key("k-2"))
    assert other.json()["id"] == "thing-2"
    without_key = await http.post("/v1/things", json={"name": "a"}, headers=ALICE)
    assert without_key.json()["id"] == "thing-3"


async def test_the_same_key_with_another_body_is_refused_with_422(
    http: httpx.AsyncClient,
) -> None:
    await http.post("/v1/things", json={"name": "a"}, headers=_key("k-1"))
    reused = await http.post("/v1/things", json={"name": "b"}, headers=_key("k-1"))
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["type"].endswith("/idempotency-key-reused")
    assert len(created) == 1


async def test_a_repeat_while_the_first_runs_is_refused_with_409(
    http: httpx.AsyncClient,
) -> None:
    gate.update(entered=asyncio.Event(), release=asyncio.Event())
    first = asyncio.create_task(http.post("/v1/things", json={"n": 1}, headers=_key("k-1")))
    await asyncio.wait_for(gate["entered"].wait(), 10)
    concurrent = await http.post("/v1/things", json={"n": 1}, headers=_key("k-1"))
    assert concurrent.status_code == 409
    assert concurrent.json()["type"].endswith("/idempotency-key-in-use")
    gate["release"].set()
    assert (await first).status_code == 201
    gate.clear()
    replayed = await http.post("/v1/things", json={"n": 1}, headers=_key("k-1"))
    assert replayed.headers["idempotency-replayed"] == "true"
    assert len(created) == 1


async def test_keys_belong_to_their_caller(http: httpx.AsyncClient) -> None:
    alice = await http.post("/v1/things", json={"name": "a"}, headers=_key("shared"))
    bob = await http.post("/v1/things", json={"name": "a"}, headers=_key("shared", BOB))
    assert "idempotency-replayed" not in bob.headers
    assert alice.json()["id"] != bob.json()["id"]
    assert len(created) == 2


async def test_a_failure_is_not_kept_so_the_retry_runs_again(http: httpx.AsyncClient) -> None:
    failed = await http.post("/v1/things", json={"fail": True}, headers=_key("k-1"))
    assert failed.status_code == 500
    unauthenticated = await http.post("/v1/things", json={}, headers={"Idempotency-Key": "k-2"})
    assert unauthenticated.status_code == 401
    gate.clear()
    retried = await http.post("/v1/things", json={"fail": True}, headers=_key("k-1"))
    assert retried.status_code == 500 and "idempotency-replayed" not in retried.headers
    invalid = await http.post("/v1/things", json={}, headers=_key("x" * 256))
    assert invalid.status_code == 400
    assert created == []


async def _stored_keys(runtime: ServiceRuntime) -> list[str]:
    async with runtime.sessions() as session:
        return sorted((await session.execute(sa.select(TABLE.c.key))).scalars())


async def _store_key(runtime: ServiceRuntime, key: str, created_at: datetime) -> None:
    row = {"caller": "provider:old", "key": key, "fingerprint": "f", "status": 201}
    async with runtime.sessions.begin() as session:
        await session.execute(sa.insert(TABLE).values(**row, created_at=created_at, body=b"{}"))


async def test_keys_past_their_lifetime_are_purged_by_a_later_keyed_post(
    service: tuple[ServiceRuntime, httpx.AsyncClient],
) -> None:
    runtime, http = service
    now = datetime.now(UTC)
    # a token of its own that outlives the travels below (the module's lives 15 minutes
    # from import, which may be long before this test runs)
    token = TOKENS.mint(
        kind="provider",
        subject="client-prov-a",
        roles=["provider-system"],
        provider_id="prov-a",
        scope="provider:prov-a",
        ttl=timedelta(hours=1),
    )
    caller = TestTokens.header(token)

    def _key(key: str) -> dict[str, str]:
        return {**caller, "Idempotency-Key": key}

    await _store_key(runtime, "expired", now - KEY_LIFETIME - PURGE_EVERY)
    await _store_key(runtime, "recent", now - KEY_LIFETIME + PURGE_EVERY * 2)
    assert (await http.post("/v1/things", json={}, headers=_key("k-1"))).status_code == 201
    assert await _stored_keys(runtime) == ["k-1", "recent"]

    with time_machine.travel(now + PURGE_EVERY / 2, tick=False):  # within PURGE_EVERY:
        await _store_key(runtime, "expired-2", now - KEY_LIFETIME * 2)  # not looked at again
        assert (await http.post("/v1/things", json={}, headers=_key("k-2"))).status_code == 201
        assert await _stored_keys(runtime) == ["expired-2", "k-1", "k-2", "recent"]
    with time_machine.travel(now + PURGE_EVERY * 3, tick=False):  # "recent" expired too
        assert (await http.post("/v1/things", json={}, headers=_key("k-3"))).status_code == 201
        assert await _stored_keys(runtime) == ["k-1", "k-2", "k-3"]
    without_key = await http.post("/v1/things", json={}, headers=caller)
    assert without_key.status_code == 201 and await _stored_keys(runtime) == ["k-1", "k-2", "k-3"]
