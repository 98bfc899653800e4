"""A database that drops connections or cannot be reached answers 503 with `Retry-After`
(problem details), never a 500; a read is retried inside the service first (it changes
nothing), a write is not (its caller decides)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Request
from sqlalchemy import Column, MetaData, String, Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from csa_shared.bus.kafka import KafkaBus
from csa_shared.composition import ServiceDefinition
from csa_shared.db import create_engine
from csa_shared.http.problems import PROBLEM_JSON, TRANSIENT_HEADER
from csa_shared.http.unit_of_work import UNIT
from csa_shared.messaging.tables import service_metadata
from csa_shared.settings import Settings
from csa_shared.testing.broker import free_port

metadata: MetaData = service_metadata()
notes = Table("notes", metadata, Column("id", String, primary_key=True))
calls: dict[str, int] = {}
routes = APIRouter()


async def _lose_connection_the_first_time(unit: AsyncSession, name: str) -> None:
    """The first call's connection is ended by the server (as a failover or a restart
    does): a real transient error, SQLSTATE 57P01."""
    calls[name] = calls.get(name, 0) + 1
    if calls[name] == 1:
        await unit.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


@routes.get("/notes")
async def read_notes(unit: AsyncSession = UNIT) -> dict[str, int]:
    await _lose_connection_the_first_time(unit, "read")
    return {"notes": len((await unit.execute(notes.select())).all())}


@routes.post("/notes/{note_id}", status_code=201)
async def write_note(note_id: str, unit: AsyncSession = UNIT) -> dict[str, str]:
    await unit.execute(notes.insert().values(id=note_id))
    await _lose_connection_the_first_time(unit, "write")
    return {"id": note_id}


@routes.post("/broadcasts", status_code=202)
async def broadcast(request: Request) -> None:
    """A write that needs the broker at once (none does today: events go to the outbox)."""
    await request.app.state.runtime.bus.publish("t", "k", b"v")


DEFINITION = ServiceDefinition(
    name="billing",
    title="t",
    description="d",
    version="1",
    metadata=metadata,
    migrations=Path(__file__).parent,
    routers=lambda: [routes],
)


@pytest.fixture
async def client_on(tmp_path: Path) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    runtimes = []
    calls.clear()

    def make(database_url: str) -> httpx.AsyncClient:
        runtime = DEFINITION.build_runtime(
            Settings(CSA_VAR_DIR=tmp_path, BILLING_DATABASE_URL=database_url)
        )
        runtimes.append(runtime)
        app = DEFINITION.create_app(runtime, manage_lifecycle=False)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://svc")

    yield make
    for runtime in runtimes:
        await runtime.stop()


def assert_retry_later(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.headers["retry-after"] == "1"
    assert TRANSIENT_HEADER not in answer.headers  # the service's own mark stays inside
    assert answer.json()["type"].endswith("/unavailable")


@pytest.mark.postgres
async def test_a_dropped_connection_is_retried_for_a_read_and_a_503_for_a_write(
    client_on, pg_database_url
) -> None:
    url = pg_database_url()
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    async with client_on(url) as client:
        read = await client.get("/v1/notes")
        read_attempts = calls["read"]
        write = await client.post("/v1/notes/n-1")
        again = await client.post("/v1/notes/n-1")  # what the caller does on Retry-After
        after = await client.get("/v1/notes")

    assert (read.status_code, read.json(), read_attempts) == (200, {"notes": 0}, 2)
    assert_retry_later(write)
    assert again.status_code == 201 and after.json() == {"notes": 1}


async def test_a_database_nobody_answers_is_a_503_after_the_read_was_retried(
    client_on,
) -> None:
    async with client_on(f"postgresql://csa@127.0.0.1:{free_port()}/gone") as client:
        read = await client.get("/v1/notes")
        write = await client.post("/v1/notes/n-1")
        ready = await client.get("/readyz")

    assert_retry_later(read)
    assert_retry_later(write)
    assert ready.status_code == 503 and ready.json()["checks"]["database"] is False


async def test_a_broker_that_cannot_be_reached_is_a_503_not_a_500(tmp_path: Path) -> None:
    gone = KafkaBus(
        bootstrap_servers=f"127.0.0.1:{free_port()}", client_id="t", request_timeout_ms=500
    )
    runtime = DEFINITION.build_runtime(Settings(CSA_VAR_DIR=tmp_path), bus=gone)
    app = DEFINITION.create_app(runtime, manage_lifecycle=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            answer = await client.post("/v1/broadcasts")
    finally:
        await runtime.stop()
    assert_retry_later(answer)
