"""Concurrent closes, backdated changes re-billed, and the statement's commune of the period
(PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from csa_billing.periods import repository
from csa_billing.periods.assemble import bill_period
from csa_billing.periods.close import CloseOptions, close_period, period_of
from csa_billing.tables import invoice, statement, statement_line

from .conftest import count, invoices
from .town import deliver, education_ended, education_started, provider, town, two_providers

pytestmark = pytest.mark.postgres
MARCH = "2025-03"


def after_grace(month: str, **extra: object) -> CloseOptions:
    today = {"2025-03": date(2025, 4, 30), "2025-04": date(2025, 5, 30)}.get(
        month, date(2025, 7, 30)
    )
    return CloseOptions(today=today, **extra)  # type: ignore[arg-type]


async def totals(billing) -> tuple[int, int, Decimal, list[tuple[str, Decimal]]]:  # type: ignore[no-untyped-def]
    async with billing.sessions() as session:
        lines = (
            await session.execute(select(func.sum(statement_line.c.state_amount)))
        ).scalar_one()
        issued = (
            await session.execute(
                select(statement.c.provider_id, statement.c.state_total).order_by(
                    statement.c.provider_id
                )
            )
        ).all()
    return (
        await count(billing, invoice),
        await count(billing, statement_line),
        lines,
        [tuple(row) for row in issued],
    )


async def test_two_concurrent_closes_give_the_same_totals_as_one(billing) -> None:
    await deliver(billing, town())
    one, two = await asyncio.gather(
        close_period(billing, MARCH, after_grace(MARCH, chunk_size=2)),
        close_period(billing, MARCH, after_grace(MARCH, chunk_size=2)),
    )
    assert (one.parent_total, one.state_total) == (Decimal("63.70"), Decimal("430.30"))
    assert (two.parent_total, two.state_total, two.closed_at) == (
        one.parent_total,
        one.state_total,
        one.closed_at,
    )
    assert one.children_done == 5
    assert await totals(billing) == (
        5,
        4,  # child-e's 0 EUR invoice has no provider line
        Decimal("430.30"),
        [
            ("ap-1", Decimal("10.80")),
            ("sea-mr", Decimal("205.50")),
            ("sea-pluri", Decimal("214.00")),
        ],
    )
    async with billing.sessions() as session:
        numbers = (await session.execute(select(invoice.c.seq).order_by(invoice.c.seq))).scalars()
        assert list(numbers) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("child", "invoices"), [("child-b", 1), ("child-f", 2)])
async def test_writing_a_chunk_twice_adds_no_statement_line(billing, child, invoices) -> None:
    """child-f is billed at two providers: one invoice (and statement line) each."""
    await deliver(billing, town() + two_providers())
    period = period_of(MARCH)
    async with billing.unit_of_work() as session:
        await repository.start_period(session, period, 1)
        book = await repository.provider_book(session)
        data = await repository.load_children(session, period, [child])
        bill = bill_period(data[child], period, book)
        await repository.write_originals(session, period, [bill])
        await repository.write_originals(session, period, [bill])  # a second writer
    written = (await count(billing, invoice), await count(billing, statement_line))
    assert written == (invoices, invoices)


def adjustment_of(docs: list[dict], month: str) -> dict | None:
    found = [d for d in docs if d["kind"] == "adjustment" and d["month"] == month]
    assert len(found) <= 1
    return found[0] if found else None


async def test_backdated_provider_price_rebills_the_closed_period(billing, api, tokens) -> None:
    """sea-mr goes from 6.00 to 7.00 EUR/h from 2025-03-03, after March was closed: child-d
    (no contract, 4 h in full to the parent) gets +4.00 in April's close; sea-pluri's child
    is untouched."""
    await deliver(billing, town())
    await close_period(billing, MARCH, after_grace(MARCH))
    await deliver(
        billing,
        [provider("sea-mr", "sea_conventionne", "7.00", changed=True, effective="2025-03-03")],
    )
    await close_period(billing, "2025-04", after_grace("2025-04"))

    adjustment = adjustment_of(await invoices(api, tokens, "child-d"), "2025-04")
    assert adjustment is not None
    assert (adjustment["corrects_month"], adjustment["parent_total"]) == (MARCH, "4.00")
    assert adjustment_of(await invoices(api, tokens, "child-a"), "2025-04") is None


async def test_backdated_education_contract_and_its_end_rebill_closed_period(
    billing, api, tokens
) -> None:
    """After March is closed, child-d's education contract at sea-mr arrives from 2025-03-03
    in `reservation` mode with no reservation: the 4 h (24.00) are credited in April. Its end
    is then dated 2025-03-09, the week before the 03-11 presence: May re-bills the 24.00."""
    await deliver(billing, town())
    await close_period(billing, MARCH, after_grace(MARCH))
    await deliver(
        billing, [education_started("child-d", "sea-mr", start="2025-03-03", mode="reservation")]
    )
    await close_period(billing, "2025-04", after_grace("2025-04"))
    docs = await invoices(api, tokens, "child-d")
    april = adjustment_of(docs, "2025-04")
    assert april is not None
    assert (april["corrects_month"], april["parent_total"]) == (MARCH, "-24.00")

    await deliver(billing, [education_ended("child-d", "sea-mr", end="2025-03-09", version=2)])
    await close_period(billing, "2025-05", after_grace("2025-05"))
    may = adjustment_of(await invoices(api, tokens, "child-d"), "2025-05")
    assert may is not None
    assert (may["corrects_month"], may["parent_total"]) == (MARCH, "24.00")


async def test_statement_commune_is_the_one_in_force_in_the_period(billing) -> None:
    """sea-mr moves to Esch-sur-Alzette from May: March's statement still says Luxembourg."""
    await deliver(billing, town())
    await deliver(
        billing,
        [
            provider(
                "sea-mr",
                "sea_conventionne",
                "6.00",
                changed=True,
                effective="2025-05-05",
                commune="Esch-sur-Alzette",
            )
        ],
    )
    await close_period(billing, MARCH, after_grace(MARCH))
    async with billing.sessions() as session:
        commune = (
            await session.execute(
                select(statement.c.commune).where(
                    statement.c.month == MARCH, statement.c.provider_id == "sea-mr"
                )
            )
        ).scalar_one()
    assert commune == "Luxembourg"
