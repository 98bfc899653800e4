"""A provider's statement shows what each family owes it beside the state's share (seed
004 §4.2): per child the charged amount, the parent share and the state share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from csa_billing.periods.close import CloseOptions, close_period

from .conftest import invoices
from .town import deliver, town, two_providers

pytestmark = pytest.mark.postgres
MARCH = "2025-03"


async def test_the_statement_lists_charged_parent_and_state_per_child(billing, api, tokens) -> None:
    """sea-mr's March: child-b (appendix week 2: 0.00 / 205.50), child-d (no contract:
    4 h × 6.00 + a meal 4.50, all 28.50 to the parent), child-f (4 free hours 0.00 / 24.00
    and a meal 1.00 / 3.50)."""
    await deliver(billing, town() + two_providers())
    await close_period(billing, MARCH, CloseOptions(today=date(2025, 4, 30)))

    response = await api.get("/v1/statements", headers=tokens.header(tokens.provider("sea-mr")))

    assert response.status_code == 200, response.text
    [statement] = response.json()["items"]
    lines = [
        (x["child_id"], x["charged_amount"], x["parent_amount"], x["state_amount"])
        for x in statement["lines"]
    ]
    assert lines == [
        ("child-b", "205.50", "0.00", "205.50"),
        ("child-d", "28.50", "28.50", "0.00"),
        ("child-f", "28.50", "1.00", "27.50"),
    ]
    assert (statement["charged_total"], statement["parent_total"]) == ("262.50", "29.50")
    assert Decimal(statement["state_total"]) == Decimal("233.00")  # the state's money only
    # each line names the family's invoice it comes from, with the same amounts
    [f_line] = [x for x in statement["lines"] if x["child_id"] == "child-f"]
    [f_invoice] = [
        d for d in await invoices(api, tokens, "child-f") if d["provider_id"] == "sea-mr"
    ]
    assert (f_line["invoice_id"], f_line["invoice_number"]) == (
        f_invoice["id"],
        f_invoice["number"],
    )
    assert (f_invoice["parent_total"], f_invoice["state_total"]) == ("1.00", "27.50")
