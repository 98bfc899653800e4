"""One parent invoice per child and provider (csa-rules.md §7): a parent pays each provider
separately. The town's month plus child-f, cared for at sea-mr and at ap-1 in one week."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from csa_billing.periods import repository
from csa_billing.periods.assemble import bill_period
from csa_billing.periods.close import CloseOptions, close_period, period_of
from csa_billing.tables import invoice, statement_line

from .conftest import invoices
from .test_close_workers import _runtime, _snapshot
from .town import AP_PRESENCE, deliver, presence, town, two_providers

pytestmark = pytest.mark.postgres
MARCH = "2025-03"
AFTER_GRACE = CloseOptions(today=date(2025, 4, 30))


async def test_a_child_at_two_providers_gets_an_invoice_from_each(billing, api, tokens) -> None:
    await deliver(billing, town() + two_providers())

    closed = await close_period(billing, MARCH, AFTER_GRACE)

    docs = await invoices(api, tokens, "child-f")
    assert [(d["provider_id"], d["parent_total"], d["state_total"]) for d in docs] == [
        ("ap-1", "2.40", "21.60"),
        ("sea-mr", "1.00", "27.50"),
    ]
    assert [d["number"] for d in docs] == ["2025-0000006", "2025-0000007"]  # after a..e
    assert {line["provider"] for line in docs[0]["lines"]} == {"ap-1"}
    assert {line["provider"] for line in docs[1]["lines"]} == {"sea-mr"}
    # the two invoices are the child's month: what the engine bills the child
    async with billing.sessions() as session:
        period = period_of(MARCH)
        data = await repository.load_children(session, period, ["child-f"])
        bill = bill_period(data["child-f"], period, await repository.provider_book(session))
    assert bill.totals() == (Decimal("3.40"), Decimal("49.10"))
    assert sum(Decimal(d["parent_total"]) for d in docs) == Decimal("3.40")
    assert sum(Decimal(d["state_total"]) for d in docs) == Decimal("49.10")
    async with billing.sessions() as session:
        numbers = (await session.execute(select(invoice.c.seq).order_by(invoice.c.seq))).scalars()
        assert list(numbers) == list(range(1, 8))  # gapless over the month
        lines = (
            await session.execute(
                select(statement_line.c.provider_id, statement_line.c.invoice_id).where(
                    statement_line.c.child_id == "child-f"
                )
            )
        ).all()
    assert sorted(lines) == [("ap-1", docs[0]["id"]), ("sea-mr", docs[1]["id"])]
    assert (closed.parent_total, closed.state_total) == (
        Decimal("63.70") + Decimal("3.40"),
        Decimal("430.30") + Decimal("49.10"),
    )
    parent = tokens.header(tokens.parent("p", ["child-f"]))
    pdf = await api.get(f"/v1/invoices/{docs[0]['id']}.pdf", headers=parent)
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Prestataire\u202f: Provider ap-1" in text and "2025-0000006" in text
    assert "sea-mr" not in text  # the other provider's care is on its own invoice


async def test_a_correction_at_one_provider_adjusts_that_providers_invoice(
    billing, api, tokens
) -> None:
    await deliver(billing, town() + two_providers())
    await close_period(billing, MARCH, AFTER_GRACE)
    shorter = presence(
        "child-f",
        "ap-1",
        "2025-03-12T08:00",
        "2025-03-12T10:00",
        presence_id=AP_PRESENCE,
        version=2,
        corrected=True,
    )
    await deliver(billing, [shorter])

    await close_period(billing, "2025-04", CloseOptions(today=date(2025, 5, 30)))

    docs = await invoices(api, tokens, "child-f")
    march = {d["provider_id"]: d for d in docs if d["kind"] == "invoice"}
    [adjustment] = [d for d in docs if d["kind"] == "adjustment"]
    assert (adjustment["provider_id"], adjustment["corrects_month"]) == ("ap-1", MARCH)
    assert adjustment["original_invoice_id"] == march["ap-1"]["id"]
    # 2 h less at ap-1: supplement 0.60 × 2 and care 5.40 × 2 credited
    assert (adjustment["parent_total"], adjustment["state_total"]) == ("-1.20", "-10.80")
    assert {line["provider"] for line in adjustment["lines"]} == {"ap-1"}
    async with billing.sessions() as session:
        april = (
            await session.execute(
                select(statement_line.c.provider_id, statement_line.c.state_amount).where(
                    statement_line.c.month == "2025-04", statement_line.c.child_id == "child-f"
                )
            )
        ).all()
    assert april == [("ap-1", Decimal("-10.80"))]


async def test_closing_again_or_resuming_gives_the_same_documents(
    pg_database_url: Callable[[], str], tmp_path: Path
) -> None:
    month = town() + two_providers()
    at_once = await _runtime(pg_database_url(), month)
    resumed = await _runtime(pg_database_url(), month)
    sqlite = await _runtime(f"sqlite+aiosqlite:///{tmp_path / 'billing.sqlite'}", month)

    def crash(chunks: int) -> None:
        if chunks == 3:
            raise RuntimeError("killed half-way")

    try:
        await close_period(at_once, MARCH, AFTER_GRACE)
        expected = await _snapshot(at_once)
        await close_period(at_once, MARCH, AFTER_GRACE)  # closing a closed period again
        assert await _snapshot(at_once) == expected
        assert len(expected["invoices"]) == 7
        with pytest.raises(RuntimeError):
            await close_period(
                resumed,
                MARCH,
                CloseOptions(today=date(2025, 4, 30), chunk_size=2, after_chunk=crash),
            )
        await close_period(resumed, MARCH, CloseOptions(today=date(2025, 4, 30), chunk_size=2))
        assert await _snapshot(resumed) == expected
        await close_period(sqlite, MARCH, CloseOptions(today=date(2025, 4, 30), chunk_size=2))
        assert await _snapshot(sqlite) == expected
    finally:
        for runtime in (at_once, resumed, sqlite):
            await runtime.engine.dispose()
