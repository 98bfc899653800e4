"""``CSA_LOG_LEVEL=DEBUG`` (the dev overlay's level) logs no SQL parameter.

aiosqlite logs every call at DEBUG with the statement and its parameters; SQLAlchemy would
too with ``echo``. ``configure_logging`` keeps ``aiosqlite`` and ``sqlalchemy`` at WARNING
or above, and ``create_engine`` hides parameters (``hide_parameters=True``) from what
SQLAlchemy logs or puts into error messages.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from csa_shared.db import create_engine
from tests.privacy.capture import production_log_stream

SECRET = "750101-secret-parameter-4242"


@pytest.fixture
def debug_logs() -> Iterator[io.StringIO]:
    with production_log_stream("DEBUG") as stream:
        yield stream


async def test_sqlite_statements_at_debug_leave_their_parameters_out_of_the_logs(
    debug_logs: io.StringIO, tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'debug.db'}", echo=True)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE people (nin TEXT)"))
            await connection.execute(text("INSERT INTO people VALUES (:nin)"), {"nin": SECRET})
            with pytest.raises(Exception) as failed:
                await connection.execute(text("INSERT INTO nowhere VALUES (:nin)"), {"nin": SECRET})
        assert SECRET not in str(failed.value)
    finally:
        await engine.dispose()
    logged = debug_logs.getvalue()
    assert "INSERT INTO people" in logged  # echo really logged the statements
    assert SECRET not in logged
