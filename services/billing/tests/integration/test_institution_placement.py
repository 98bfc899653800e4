"""A child placed in an institution (csa-rules.md §2) through the consumers and the close:
membership's contract says state_pays_all, the amounts are the lt_4_5 ones, the family's
invoice shows 0.00 with a line saying the state covers the parent share, and the provider's
statement carries the whole amount as state money."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from csa_billing.periods.close import CloseOptions, close_period
from csa_billing.tables import contract_version

from .conftest import invoices
from .town import contract, deliver, meal, presence, town

pytestmark = pytest.mark.postgres
MARCH = "2025-03"


def placed_child() -> list:  # type: ignore[type-arg]
    """child-p, placed (lt_4_5, rank 1, young): Monday 2025-03-10 09:00-19:00 at sea-mr
    (6.00/h) and a meal: tranche 1, 3 h at 4.00 / 2.00 → 12.00 / 6.00; tranche 2, 7 h →
    28.00 / 14.00; meal 2.00 / 2.50. The parent share 42.00 goes to the state: 0.00 / 64.50."""
    return [
        contract("child-p", "lt_4_5", 1, "none", state_pays_all=True),
        presence("child-p", "sea-mr", "2025-03-10T09:00", "2025-03-10T19:00"),
        meal("child-p", "sea-mr", "2025-03-10"),
    ]


async def test_a_placed_child_pays_nothing_and_the_state_pays_all(billing, api, tokens) -> None:
    await deliver(billing, town() + placed_child())
    async with billing.sessions() as session:
        projected = await session.scalar(
            select(contract_version.c.state_pays_all).where(
                contract_version.c.child_id == "child-p"
            )
        )
    assert projected is True

    closed = await close_period(billing, MARCH, CloseOptions(today=date(2025, 4, 30)))

    [doc] = await invoices(api, tokens, "child-p")
    assert (doc["parent_total"], doc["state_total"]) == ("0.00", "64.50")
    amounts = [(x["rule"], x["parent_amount"], x["state_amount"]) for x in doc["lines"]]
    assert amounts == [
        ("tranche_1", "12.00", "6.00"),
        ("tranche_2", "28.00", "14.00"),
        ("meal_category_rate", "2.00", "2.50"),
        ("institution_placement", "-42.00", "42.00"),
    ]
    statements = await api.get("/v1/statements", headers=tokens.header(tokens.provider("sea-mr")))
    [statement] = statements.json()["items"]
    [line] = [x for x in statement["lines"] if x["child_id"] == "child-p"]
    assert (line["charged_amount"], line["parent_amount"], line["state_amount"]) == (
        "64.50",
        "0.00",
        "64.50",
    )
    assert Decimal(statement["state_total"]) == Decimal("205.50") + Decimal("64.50")
    assert (closed.parent_total, closed.state_total) == (
        Decimal("63.70"),  # the town's parents only
        Decimal("430.30") + Decimal("64.50"),
    )
    pdf = await api.get(
        f"/v1/invoices/{doc['id']}.pdf", headers=tokens.header(tokens.parent("p", ["child-p"]))
    )
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Part des parents payée par l'État (placement)" in text
    assert "l'État prend en charge la part des parents" in text


async def test_the_same_child_not_placed_pays_the_parent_share(billing, api, tokens) -> None:
    events = placed_child()
    events[0] = contract("child-p", "lt_4_5", 1, "none")
    await deliver(billing, town() + events)

    await close_period(billing, MARCH, CloseOptions(today=date(2025, 4, 30)))

    [doc] = await invoices(api, tokens, "child-p")
    assert (doc["parent_total"], doc["state_total"]) == ("42.00", "22.50")
    assert all(x["rule"] != "institution_placement" for x in doc["lines"])


async def test_a_placement_backdated_into_a_closed_period_credits_the_family(
    billing, api, tokens
) -> None:
    events = placed_child()
    events[0] = contract("child-p", "lt_4_5", 1, "none")
    await deliver(billing, town() + events)
    await close_period(billing, MARCH, CloseOptions(today=date(2025, 4, 30)))
    placed = contract(
        "child-p",
        "lt_4_5",
        1,
        "none",
        version=2,
        kind="amended",
        state_pays_all=True,
        changes=["household"],
    )
    await deliver(billing, [placed])

    await close_period(billing, "2025-04", CloseOptions(today=date(2025, 5, 30)))

    docs = await invoices(api, tokens, "child-p")
    [original] = [d for d in docs if d["kind"] == "invoice" and d["month"] == MARCH]
    [adjustment] = [d for d in docs if d["kind"] == "adjustment"]
    assert (adjustment["parent_total"], adjustment["state_total"]) == ("-42.00", "42.00")
    assert adjustment["original_invoice_id"] == original["id"]
    assert (adjustment["month"], adjustment["provider_id"]) == ("2025-04", "sea-mr")
    assert {x["rule"] for x in adjustment["lines"] if x["adjustment"] == "debit"} >= {
        "institution_placement"
    }
