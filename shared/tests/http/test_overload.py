"""A database pool with no free connection answers 503 problem details, not a 500."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from csa_shared.db.engine import create_engine
from csa_shared.http.problems import PROBLEM_JSON, install_problem_handlers

pytestmark = pytest.mark.postgres


async def test_an_exhausted_pool_gives_503_with_retry_after(
    pg_database_url: Callable[[], str],
) -> None:
    engine = create_engine(pg_database_url(), pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/work")
    async def work() -> dict[str, int]:
        async with engine.connect() as connection:
            return {"one": (await connection.execute(text("select 1"))).scalar_one()}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        assert (await client.get("/work")).json() == {"one": 1}
        async with engine.connect():  # the pool's only connection is taken
            busy = await client.get("/work")
        assert busy.status_code == 503
        assert busy.headers["content-type"].startswith(PROBLEM_JSON)
        assert busy.headers["retry-after"] == "1"
        assert (await client.get("/work")).status_code == 200  # free again
    await engine.dispose()
