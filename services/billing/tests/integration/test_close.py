"""A small town's month through billing's consumers, closed on PostgreSQL, read over HTTP."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import date
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from pypdf import PdfReader
from sqlalchemy import select

from csa.services import definition
from csa_billing.periods import jobs
from csa_billing.periods.close import CloseOptions, close_period, open_period, period_status_in
from csa_billing.tables import invoice, statement_line

from .conftest import count, invoices
from .town import deliver, presence, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"
AFTER_GRACE = CloseOptions(today=date(2025, 4, 30))


async def test_town_month_totals_match_the_appendix_weeks(billing, api, tokens) -> None:
    await deliver(billing, town())
    agent = tokens.header(tokens.cae_agent("agent-1"))

    started = await api.post(f"/v1/periods/{MARCH}/close", json={}, headers=agent)

    assert started.status_code == 202, started.text  # the close runs in the background
    assert started.headers["location"].endswith(f"/v1/periods/{MARCH}")
    progress = started.json()
    assert (progress["status"], progress["children_total"]) == ("closing", 5)
    assert progress["children_done"] <= 5
    task = jobs.running(billing, MARCH)
    assert task is not None
    await task
    closed = await api.get(f"/v1/periods/{MARCH}", headers=agent)
    assert closed.status_code == 200, closed.text
    again = await api.post(f"/v1/periods/{MARCH}/close", json={}, headers=agent)
    assert again.status_code == 200, again.text  # already closed: idempotent, nothing started
    assert jobs.running(billing, MARCH) is None
    assert again.json() == closed.json()
    expected = {
        "child-a": ("20.00", "214.00"),  # appendix week 1
        "child-b": ("0.00", "205.50"),  # appendix week 2
        "child-c": ("15.20", "10.80"),  # appendix week 3
        "child-d": ("28.50", "0.00"),  # no contract: 4 h x 6.00 + meal 4.50, all parent
        "child-e": ("0.00", "0.00"),  # contract, no attendance: a 0 EUR invoice
    }
    for child, (parent, state) in expected.items():
        [doc] = await invoices(api, tokens, child)
        assert (doc["parent_total"], doc["state_total"]) == (parent, state), child
    [d] = await invoices(api, tokens, "child-d")
    assert {line["rule"] for line in d["lines"]} == {"no_contract"}
    [a] = await invoices(api, tokens, "child-a")
    assert all(line["record_ids"] for line in a["lines"])
    assert a["renewal_date"] == "2026-02-01"
    period = closed.json()
    assert (period["status"], period["children_total"]) == ("closed", 5)
    assert Decimal(period["state_total"]) == Decimal("430.30")
    assert Decimal(period["communes"]["Luxembourg"]) == Decimal("430.30")
    numbers = sorted([(await invoices(api, tokens, c))[0]["number"] for c in expected])
    assert numbers == [f"2025-{n:07d}" for n in range(1, 6)]  # no gaps
    pdf = await api.get(
        f"/v1/invoices/{a['id']}.pdf", headers=tokens.header(tokens.parent("p", ["child-a"]))
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Facture chèque-service accueil" in text  # the contract's language is fr
    assert a["number"] in text and "Votre contrat d'adhésion expire le" in text
    hidden = await api.get(
        f"/v1/invoices/{a['id']}", headers=tokens.header(tokens.parent("p", ["child-b"]))
    )
    assert hidden.status_code == 404
    statements = await api.get("/v1/statements", headers=tokens.header(tokens.provider("sea-mr")))
    [sea_mr] = statements.json()["items"]
    assert Decimal(sea_mr["state_total"]) == Decimal("205.50")


async def test_closing_twice_yields_the_same_documents(billing) -> None:
    await deliver(billing, town())
    first = await close_period(billing, MARCH, AFTER_GRACE)
    again = await close_period(billing, MARCH, AFTER_GRACE)
    assert (again.closed_at, again.state_total) == (first.closed_at, first.state_total)
    assert await count(billing, invoice) == 5


async def test_a_close_running_at_shutdown_is_cancelled_and_resumes_when_started_again(
    billing,
) -> None:
    await deliver(billing, town())
    await open_period(billing, MARCH, AFTER_GRACE)
    task = jobs.start(billing, MARCH, AFTER_GRACE)
    await asyncio.sleep(0)  # the close is under way, waiting on the database

    await billing.stop()  # as at a pod's shutdown

    assert task.cancelled() and jobs.running(billing, MARCH) is None
    restarted = definition("billing").build_runtime(billing.settings)
    try:
        assert (await period(restarted)).status == "closing"
        await jobs.start(restarted, MARCH, AFTER_GRACE)
        resumed = await period(restarted)
        assert (resumed.status, resumed.state_total) == ("closed", Decimal("430.30"))
        assert await count(restarted, invoice) == 5
    finally:
        await restarted.stop()


async def period(runtime):  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await period_status_in(session, MARCH)


async def test_close_before_the_grace_period_is_refused(billing) -> None:
    from csa_shared.errors import Conflict

    with pytest.raises(Conflict):
        await close_period(billing, MARCH, CloseOptions(today=date(2025, 4, 10)))


async def test_crash_after_one_chunk_then_resume_completes_without_duplicates(billing) -> None:
    await deliver(billing, town())

    def crash(chunks: int) -> None:
        if chunks == 2:
            raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError):
        await close_period(
            billing, MARCH, CloseOptions(today=date(2025, 4, 30), chunk_size=2, after_chunk=crash)
        )
    assert await count(billing, invoice) == 4  # two chunks of two committed
    closed = await close_period(billing, MARCH, CloseOptions(today=date(2025, 4, 30), chunk_size=2))
    assert closed.state_total == Decimal("430.30")
    assert await count(billing, invoice) == 5


async def test_same_events_delivered_twice_bill_once(billing) -> None:
    events = town()
    await deliver(billing, events)
    await deliver(billing, events)
    closed = await close_period(billing, MARCH, AFTER_GRACE)
    assert (closed.parent_total, closed.state_total) == (Decimal("63.70"), Decimal("430.30"))


async def test_late_correction_produces_exactly_one_adjustment_next_period(
    billing, api, tokens
) -> None:
    events = town()
    await deliver(billing, events)
    await close_period(billing, MARCH, AFTER_GRACE)
    late = next(
        e
        for e in events
        if e.type.endswith("presence.recorded.v1") and e.data["child_id"] == "child-d"
    )
    correction = presence(
        "child-d",
        "sea-mr",
        "2025-03-11T08:00",
        "2025-03-11T10:00",
        presence_id=late.data["presence_id"],
        version=2,
        corrected=True,
    )
    await deliver(billing, [correction, correction])

    await close_period(billing, "2025-04", CloseOptions(today=date(2025, 5, 30)))

    docs = await invoices(api, tokens, "child-d")
    adjustments = [d for d in docs if d["kind"] == "adjustment"]
    assert len(adjustments) == 1
    [adj] = adjustments
    assert (adj["month"], adj["corrects_month"]) == ("2025-04", MARCH)
    assert adj["parent_total"] == "-12.00"  # 2 h x 6.00 credited
    original = next(d for d in docs if d["kind"] == "invoice" and d["month"] == MARCH)
    assert adj["original_invoice_id"] == original["id"]
    async with billing.sessions() as session:
        lines = (
            await session.execute(select(statement_line).where(statement_line.c.month == "2025-04"))
        ).all()
    assert [
        (x.child_id, x.corrects_month, x.parent_amount) for x in lines if x.corrects_month == MARCH
    ] == [("child-d", MARCH, Decimal("-12.00"))]


async def test_a_close_logs_and_times_when_it_starts_and_what_it_issued_when_it_finishes(
    billing, caplog
) -> None:
    await deliver(billing, town())
    caplog.set_level(logging.INFO, logger="csa_billing.close")
    closes_before = REGISTRY.get_sample_value("csa_billing_close_seconds_count") or 0
    await close_period(billing, MARCH, AFTER_GRACE)
    await close_period(billing, MARCH, AFTER_GRACE)  # already closed: no second event
    started, finished = (r for r in caplog.records if r.name == "csa_billing.close")
    assert (started.getMessage(), started.month, started.children) == (
        "period close started",
        MARCH,
        5,
    )
    assert finished.getMessage() == "period close finished"
    assert (finished.invoices, finished.children) == (5, 5)
    assert finished.statements >= 1 and finished.duration_s >= 0
    assert REGISTRY.get_sample_value("csa_billing_close_seconds_count") == closes_before + 1
