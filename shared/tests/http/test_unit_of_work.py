"""The request's unit of work commits before the response starts; a commit that fails
answers a problem document (never a 2xx) and stores nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from csa_shared.composition import ServiceDefinition
from csa_shared.errors import NotFound
from csa_shared.http.problems import PROBLEM_JSON, install_problem_handlers
from csa_shared.http.unit_of_work import UNIT, _request_unit
from csa_shared.messaging.tables import service_metadata
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.commits import failing_commits
from csa_shared.testing.read_after_write import WriteCoverage, answer_first

metadata: MetaData = service_metadata()
notes = Table("notes", metadata, Column("id", String, primary_key=True))
replies = Table(
    "replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note_id", String, ForeignKey("notes.id", deferrable=True, initially="DEFERRED")),
)

writes = APIRouter()


@writes.post("/notes/{note_id}", status_code=201)
async def write_note(note_id: str, unit: AsyncSession = UNIT) -> dict[str, str]:
    await unit.execute(notes.insert().values(id=note_id))
    return {"id": note_id}


@writes.get("/notes/{note_id}")
async def read_note(note_id: str, unit: AsyncSession = UNIT) -> dict[str, str]:
    if (await unit.execute(select(notes.c.id).where(notes.c.id == note_id))).first() is None:
        raise NotFound(f"no note {note_id}")
    return {"id": note_id}


@writes.post("/replies/{note_id}", status_code=201)
async def reply_to(note_id: str, unit: AsyncSession = UNIT) -> dict[str, str]:
    """The foreign key is checked at COMMIT only (deferred), after the endpoint returned."""
    if unit.bind.dialect.name == "sqlite":
        await unit.execute(text("PRAGMA defer_foreign_keys = ON"))
    await unit.execute(replies.insert().values(note_id=note_id))
    return {"note": note_id}


def _definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="billing",
        title="t",
        description="d",
        version="1",
        metadata=metadata,
        migrations=Path(__file__).parent,
        routers=lambda: [writes],
    )


async def _started(settings: Settings) -> ServiceRuntime:
    runtime = _definition().build_runtime(settings)
    async with runtime.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await runtime.bus.start()
    return runtime


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    runtime = await _started(Settings(CSA_VAR_DIR=tmp_path))
    yield runtime
    await runtime.stop()


async def _stored(runtime: ServiceRuntime, table: Table) -> int:
    async with runtime.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar())


def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


async def test_the_change_is_stored_before_the_response_starts(runtime: ServiceRuntime) -> None:
    app = _definition().create_app(runtime, manage_lifecycle=False)
    seen_at_start: list[int] = []

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def send_after_looking(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen_at_start.append(await _stored(runtime, notes))
            await send(message)

        await app(scope, receive, send_after_looking)

    async with _client(watching) as client:
        answer = await client.post("/v1/notes/n-1")
    assert answer.status_code == 201
    assert seen_at_start == [1]


async def test_a_commit_that_fails_answers_503_and_stores_nothing(
    runtime: ServiceRuntime,
) -> None:
    app = _definition().create_app(runtime, manage_lifecycle=False)
    async with _client(app) as client:
        with failing_commits(runtime.engine) as refused:
            answer = await client.post("/v1/notes/n-2")
        assert refused
        assert answer.status_code == 503
        assert answer.headers["content-type"] == PROBLEM_JSON
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["type"].endswith("/unavailable")
        assert await _stored(runtime, notes) == 0
        assert (await client.post("/v1/notes/n-2")).status_code == 201  # retried, stored


async def test_a_commit_refused_for_integrity_answers_409_and_stores_nothing(
    runtime: ServiceRuntime,
) -> None:
    app = _definition().create_app(runtime, manage_lifecycle=False)
    async with _client(app) as client:
        answer = await client.post("/v1/replies/no-such-note")
    assert answer.status_code == 409
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert await _stored(runtime, replies) == 0


@pytest.mark.postgres
async def test_postgres_commit_failures_are_problems_and_store_nothing(
    pg_database_url: Callable[[], str],
) -> None:
    """On PostgreSQL the COMMIT itself fails: a deferred trigger raising a serialization
    failure (SQLSTATE 40001, transient: 503), and a deferred foreign key (409)."""
    runtime = await _started(Settings(BILLING_DATABASE_URL=pg_database_url()))
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.id = 'serialize' THEN RAISE EXCEPTION 'concurrent update' "
                "USING ERRCODE = '40001'; END IF; RETURN NULL; END $$"
            )
        )
        await connection.execute(
            text(
                "CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON notes "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )
    app = _definition().create_app(runtime, manage_lifecycle=False)
    try:
        async with _client(app) as client:
            transient = await client.post("/v1/notes/serialize")
            conflict = await client.post("/v1/replies/no-such-note")
            stored = await client.post("/v1/notes/kept")
        assert (transient.status_code, transient.headers["content-type"]) == (503, PROBLEM_JSON)
        assert (conflict.status_code, conflict.headers["content-type"]) == (409, PROBLEM_JSON)
        assert stored.status_code == 201
        assert (await _stored(runtime, notes), await _stored(runtime, replies)) == (1, 0)
    finally:
        await runtime.stop()


def test_an_app_whose_route_would_commit_after_its_response_is_refused(tmp_path: Path) -> None:
    late = APIRouter()

    @late.post("/late")
    async def late_write(unit: AsyncSession = Depends(_request_unit)) -> None:
        return None

    outer = APIRouter()
    outer.include_router(late)  # nested, as identity nests its routers
    spec = _definition()
    spec.routers = lambda: [outer]
    runtime = spec.build_runtime(Settings(CSA_VAR_DIR=tmp_path))
    with pytest.raises(RuntimeError, match="/late"):
        spec.create_app(runtime, manage_lifecycle=False)


async def test_a_read_right_after_the_answer_finds_the_write(runtime: ServiceRuntime) -> None:
    app = _definition().create_app(runtime, manage_lifecycle=False)
    async with answer_first(app, "http://svc") as client:
        assert (await client.post("/v1/notes/n-3")).status_code == 201
        assert (await client.get("/v1/notes/n-3")).status_code == 200


async def test_the_read_after_write_client_catches_a_commit_after_the_answer(
    runtime: ServiceRuntime,
) -> None:
    """The old request-scoped session (commit after the response): the read misses it."""
    late = APIRouter()

    @late.post("/notes/{note_id}", status_code=201)
    async def write_late(note_id: str, unit: AsyncSession = Depends(_request_unit)) -> None:
        await unit.execute(notes.insert().values(id=note_id))

    app = FastAPI()
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.include_router(late)
    app.include_router(writes, prefix="/v1")
    async with answer_first(app, "http://svc") as client:
        assert (await client.post("/notes/n-4")).status_code == 201
        assert (await client.get("/v1/notes/n-4")).status_code == 404
    assert await _stored(runtime, notes) == 1  # committed, but only after the answer


def test_write_coverage_names_the_write_endpoints_without_a_test(tmp_path: Path) -> None:
    app = _definition().create_app(
        _definition().build_runtime(Settings(CSA_VAR_DIR=tmp_path)), manage_lifecycle=False
    )
    coverage = WriteCoverage()
    coverage.covers("POST /v1/notes/{note_id}")(test_a_read_right_after_the_answer_finds_the_write)
    with pytest.raises(AssertionError, match="replies"):
        coverage.assert_complete(app)
    coverage.covers("POST /v1/replies/{note_id}", "DELETE /v1/gone")(
        test_write_coverage_names_the_write_endpoints_without_a_test
    )
    with pytest.raises(AssertionError, match="gone"):
        coverage.assert_complete(app)
