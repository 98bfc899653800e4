"""A late renewal covers at most the 3 billing periods before its filing, to be re-billed."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from membership_api import ESCH, application
from sqlalchemy import select

from csa_shared.events import parse_event
from csa_shared.testing.tokens import TestTokens

pytestmark = pytest.mark.postgres


async def test_renewal_filed_five_periods_late_rebills_the_last_three(
    api, membership, tokens: TestTokens
) -> None:
    with time_machine.travel(datetime(2025, 1, 15, 10), tick=True):
        agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))  # iat in 2025
        cid = (await api.post("/v1/contracts", json=application(), headers=agent)).json()[
            "contract_id"
        ]
        signed = (await api.post(f"/v1/contracts/{cid}/signature", headers=agent)).json()
    # January 2025 period starts Monday 6 January; 12 periods end before 5 January 2026.
    assert (signed["valid_from"], signed["valid_until"]) == ("2025-01-06", "2026-01-04")

    with time_machine.travel(datetime(2026, 6, 10, 10), tick=True):
        agent = tokens.header(tokens.commune_agent("agent-esch-1", ESCH))
        renewed = await api.post(f"/v1/contracts/{cid}/renewals", headers=agent)
    assert renewed.status_code == 200, renewed.text
    async with membership.sessions() as session:
        rows = (await session.execute(select(membership.outbox))).all()
    event = next(
        e
        for e in (parse_event(r.payload) for r in rows)
        if e.type == "lu.csa.membership.contract.renewed.v1"
    )
    assert event.data["rebill_months"] == ["2026-03", "2026-04", "2026-05"]
    assert event.data["valid_from"] == renewed.json()["terms"][1]["valid_from"]
    assert event.data["previous_valid_until"] == "2026-01-04"
