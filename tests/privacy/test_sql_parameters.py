"""With SQL logging switched on for troubleshooting (``sqlalchemy.engine`` at INFO, which
the production root level INFO does not do by itself: SQLAlchemy sets its loggers to WARNING
on import), statements would be logged with their parameters (national ids, SMS texts with
OTPs, letters with linking/activation codes), and parameters would appear in every DBAPIError
message, which the relay, the consumers and the 500 handler log at ERROR. They do not:
``csa_shared.db.engine.create_engine`` passes ``hide_parameters=True`` (which also keeps
parameters out of exception messages), and ``configure_logging`` raises the ``sqlalchemy``
loggers to WARNING like ``aiokafka``.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date

import httpx
import pytest

from csa.services import definition
from csa_membership.domain.nin import make_nin
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings
from csa_shared.testing.tokens import TestTokens
from tests.privacy.capture import leaks, production_log_stream

pytestmark = pytest.mark.postgres
ESCH = "Esch-sur-Alzette"
HOME = {
    "line": "1, rue Large",
    "postcode": "L-4001",
    "locality": ESCH,
    "country": "LU",
    "commune": ESCH,
}


@pytest.fixture
def production_logging() -> AsyncIterator[io.StringIO]:
    """The production log configuration (``csa serve``: JSON on stdout at INFO), captured."""
    engine_logger = logging.getLogger("sqlalchemy.engine")
    engine_level = engine_logger.level
    with production_log_stream("INFO") as stream:
        engine_logger.setLevel(logging.INFO)  # an operator turns SQL logging on
        yield stream
    engine_logger.setLevel(engine_level)


@pytest.fixture
async def membership(pg_database_url: Callable[[], str]) -> AsyncIterator[ServiceRuntime]:
    runtime = definition("membership").build_runtime(
        Settings(MEMBERSHIP_DATABASE_URL=pg_database_url())
    )
    await runtime.start(migrate=True, relay=False)
    yield runtime
    await runtime.stop()


async def test_a_filed_national_id_is_not_in_the_production_logs(
    membership: ServiceRuntime, production_logging: io.StringIO
) -> None:
    tokens = TestTokens()
    membership.token_verifier = tokens.verifier("membership")
    child_nin = make_nin(date(2022, 5, 10), 433).value
    body = {
        "child": {"first_name": "Lea", "last_name": "Weber", "nin": child_nin},
        "child_address": HOME,
        "representative": {
            "first_name": "Tom",
            "last_name": "Weber",
            "nin": make_nin(date(1985, 1, 2), 12).value,
        },
        "language": "fr",
        "schooling": "none",
        "resident": True,
        "household": {
            "situation": "living_together",
            "members": [
                {
                    "role": "representative",
                    "name": "Tom Weber",
                    "incomes": [{"kind": "taxable", "monthly_amount": "4100.00"}],
                }
            ],
        },
        "siblings": [],
        "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
    }
    app = definition("membership").create_app(membership, manage_lifecycle=False)
    headers = tokens.header(tokens.commune_agent("agent-sql", ESCH))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://m", headers=headers
    ) as api:
        filed = await api.post("/v1/contracts", json=body)
    assert filed.status_code == 201, filed.text
    lines = production_logging.getvalue().splitlines()
    assert lines and all(json.loads(line)["level"] for line in lines)  # production format
    assert not leaks("\n".join(lines), {"child NIN": child_nin})
