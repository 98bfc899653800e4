"""Closing a period is a national act, never before its grace days (issue 19 §3).

Over the API only a CAE agent closes (the scheduled job runs ``csa billing close`` without a
token); commune and Dageselteren agents get 403. Nobody closes a period before its last day
plus ``BILLING_CLOSE_GRACE_DAYS`` (5) has passed in Luxembourg: March 2025 ends on Sunday
2025-04-06, so it may be closed from Saturday 2025-04-12, Luxembourg time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
import time_machine

from csa_billing.periods import jobs
from csa_billing.periods.close import CloseOptions, check_closable, luxembourg_today
from csa_billing.tables import billing_period
from csa_shared.errors import Conflict
from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.tokens import TestTokens

from .conftest import count
from .town import deliver, provider, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"
PROBLEM = "application/problem+json"
# 2025-04-11 at 23:30 and 2025-04-12 at 00:30 in Luxembourg (summer time, UTC+2): both still
# 2025-04-11 in UTC
LAST_GRACE_EVENING = datetime(2025, 4, 11, 21, 30, tzinfo=UTC)
FIRST_CLOSABLE_NIGHT = datetime(2025, 4, 11, 22, 30, tzinfo=UTC)


async def close(api: httpx.AsyncClient, headers: dict[str, str], body: object) -> httpx.Response:
    return await api.post(f"/v1/periods/{MARCH}/close", json=body, headers=headers)


async def finished(billing: ServiceRuntime) -> None:
    task = jobs.running(billing, MARCH)
    if task is not None:
        await task


async def test_commune_and_agency_agents_may_not_close_a_period(
    billing: ServiceRuntime, api: httpx.AsyncClient, tokens: TestTokens
) -> None:
    await deliver(billing, town())
    esch = tokens.header(tokens.commune_agent("agent-esch", "Esch-sur-Alzette"))
    lux = tokens.header(tokens.commune_agent("agent-lux", "Luxembourg"))
    agency = tokens.header(tokens.agency_agent("agent-dgs"))

    answers = [await close(api, who, {}) for who in (esch, lux, agency)]

    for answer in answers:
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
    assert await count(billing, billing_period) == 0  # nothing was started


async def test_no_one_closes_a_period_before_its_grace_days_have_passed_in_luxembourg(
    billing: ServiceRuntime, api: httpx.AsyncClient, tokens: TestTokens
) -> None:
    with time_machine.travel(LAST_GRACE_EVENING, tick=False):
        cae = tokens.header(tokens.cae_agent("agent-cae"))  # issued then
        early = await close(api, cae, {"ignore_grace": True})  # the old escape: ignored
        future = await api.post("/v1/periods/2027-09/close", json={}, headers=cae)

    assert early.status_code == 409, early.text
    assert early.headers["content-type"].startswith(PROBLEM)
    assert early.json()["type"].endswith("/period-not-closable")
    assert "2025-04-12" in early.json()["detail"]
    assert future.status_code == 409, future.text
    assert await count(billing, billing_period) == 0


async def test_the_cae_closes_once_the_grace_days_have_passed_in_luxembourg(
    billing: ServiceRuntime, api: httpx.AsyncClient, tokens: TestTokens
) -> None:
    await deliver(billing, town())

    with time_machine.travel(FIRST_CLOSABLE_NIGHT, tick=False):
        assert luxembourg_today() == date(2025, 4, 12)
        cae = tokens.header(tokens.cae_agent("agent-cae"))
        started = await close(api, cae, {})
        await finished(billing)
        closed = await api.get(f"/v1/periods/{MARCH}", headers=cae)

    assert started.status_code == 202, started.text
    assert closed.json()["status"] == "closed"


def test_the_grace_is_counted_in_luxembourgs_date() -> None:
    with time_machine.travel(LAST_GRACE_EVENING, tick=False), pytest.raises(Conflict):
        check_closable(MARCH, CloseOptions())
    with time_machine.travel(FIRST_CLOSABLE_NIGHT, tick=False):
        assert check_closable(MARCH, CloseOptions()).month == MARCH
    assert not hasattr(CloseOptions(), "ignore_grace")  # no way around it in code either


async def test_each_agent_reads_the_totals_of_its_scope_providers(
    billing: ServiceRuntime, api: httpx.AsyncClient, tokens: TestTokens
) -> None:
    await deliver(
        billing, [*town(), provider("sea-esch", "sea_commercial", "7.00", commune="Esch")]
    )
    cae = tokens.header(tokens.cae_agent("agent-cae"))
    started = await close(api, cae, {})
    assert started.status_code == 202, started.text
    await finished(billing)

    async def shown(headers: dict[str, str]) -> tuple[set[str], set[str]]:
        response = await api.get(f"/v1/periods/{MARCH}", headers=headers)
        assert response.status_code == 200, response.text
        period = response.json()
        return {p["provider_id"] for p in period["providers"]}, set(period["communes"])

    everyone = {"sea-pluri", "sea-mr", "ap-1"}  # sea-esch has no statement: nothing billed
    assert await shown(cae) == (everyone, {"Luxembourg"})
    lux = tokens.header(tokens.commune_agent("agent-lux", "luxembourg"))
    assert await shown(lux) == (everyone, {"Luxembourg"})
    esch = tokens.header(tokens.commune_agent("agent-esch", "Esch"))
    assert await shown(esch) == (set(), set())
    assert await shown(tokens.header(tokens.agency_agent("agent-dgs"))) == (
        {"ap-1"},
        {"Luxembourg"},
    )
