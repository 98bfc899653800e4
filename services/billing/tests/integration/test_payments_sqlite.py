"""Payments in the embedded shape (SQLite, which hands instants back without their zone):
the exported file is still valid and a re-download still identical."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from csa.services import definition
from csa_billing.periods.close import close_period
from csa_shared.runtime import ServiceRuntime
from csa_shared.settings import Settings

from .test_payments import AFTER_GRACE, MARCH, XSD, banked_town, paying_agency  # noqa: F401
from .town import deliver


@pytest.fixture
async def embedded(
    tmp_path: Path, tokens
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'billing.db'}"
    runtime = definition("billing").build_runtime(Settings(BILLING_DATABASE_URL=url))
    await runtime.migrate()
    runtime.token_verifier = tokens.verifier("billing")
    app = definition("billing").create_app(runtime, manage_lifecycle=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://billing"
    ) as client:
        yield runtime, client
    await runtime.engine.dispose()


async def test_on_sqlite_the_file_is_valid_and_downloads_are_identical(embedded, tokens) -> None:
    runtime, api = embedded
    cae = tokens.header(tokens.cae_agent("agent-cae"))
    await deliver(runtime, banked_town())
    await close_period(runtime, MARCH, AFTER_GRACE)

    created = await api.post(f"/v1/periods/{MARCH}/payments", headers=cae)
    first = await api.get(f"/v1/periods/{MARCH}/payments/pain.001.xml", headers=cae)
    again = await api.get(f"/v1/periods/{MARCH}/payments/pain.001.xml", headers=cae)

    assert created.status_code == 201, created.text
    assert created.json()["transactions"] == 2
    XSD.assertValid(etree.fromstring(first.content))
    assert again.content == first.content
    stamp = created.json()["created_at"]
    assert stamp.endswith("Z") or stamp.endswith("+00:00")
    assert f"<CreDtTm>{stamp[:19]}Z</CreDtTm>".encode() in first.content
