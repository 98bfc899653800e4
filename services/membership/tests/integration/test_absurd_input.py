"""Absurd input (issue 19 §4): a 4xx problem naming the field, never a 500; stored rows stay."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from membership_api import application, snapshot

from csa_membership.domain.nin import make_nin
from csa_shared.testing.problems import assert_refused_naming

pytestmark = pytest.mark.postgres

OTHER_CHILD = {
    "first_name": "Noa",
    "last_name": "Muller",
    "nin": make_nin(date(2021, 6, 1), 7).value,
}


def _new(**changes: Any) -> dict[str, Any]:
    """An application for a child not stored yet, with ``changes``."""
    return application(**{"child": OTHER_CHILD, **changes})


def _income(amount: Any) -> dict[str, Any]:
    member = {
        "role": "representative",
        "name": "Anna Muller",
        "incomes": [{"kind": "taxable", "monthly_amount": amount}],
    }
    return {"situation": "living_together", "members": [member]}  # fmt: skip


INCOME = "household.members[0].incomes[0].monthly_amount"
# (method, path, body or query, the field the problem names; None: refused before parsing)
ABSURD: dict[str, tuple[str, str, Any, str | None]] = {
    "income of 1e308": ("POST", "/v1/contracts", _new(household=_income(1e308)), INCOME),
    "income of 10^31": (
        "POST", "/v1/contracts", _new(household=_income("1" + "0" * 31)), INCOME,
    ),
    "income of 1.001": ("POST", "/v1/contracts", _new(household=_income("1.001")), INCOME),
    "alimony of 1e308": (
        "POST", "/v1/contracts",
        _new(household={**_income("100.00"), "alimony": {"received_monthly": 1e308}}),
        "household.alimony.received_monthly",
    ),
    "31 siblings": (
        "POST", "/v1/contracts", _new(siblings=[{"birth_date": "2019-01-01"}] * 31), "siblings",
    ),
    "100 000 siblings": (
        "POST", "/v1/contracts", _new(siblings=[{"birth_date": "2019-01-01"}] * 100_000), None,
    ),
    "sibling born in 9999": (
        "POST", "/v1/contracts", _new(siblings=[{"birth_date": "9999-01-01"}]),
        "siblings[0].birth_date",
    ),
    "proof dated year 1": (
        "POST", "/v1/contracts", _new(proofs=[{"type": "tax_assessment", "dated": "0001-01-01"}]),
        "proofs[0].dated",
    ),
    "NUL in a first name": (
        "POST", "/v1/contracts", _new(child={**OTHER_CHILD, "first_name": "N\x00a"}),
        "child.first_name",
    ),
    "100 000-deep JSON": ("POST", "/v1/contracts", "[" * 100_000 + "]" * 100_000, "body"),
    "termination on 9999-12-31": (
        "POST", "/v1/contracts/{contract}/termination",
        {"last_day": "9999-12-31", "reason": "moved"}, "last_day",
    ),
    "amendment from 9999-12-31": (
        "POST", "/v1/contracts/{contract}/amendments",
        {"changes": ["income"], "household": _income("100.00"), "effective_from": "9999-12-31",
         "reason": "late"},
        "effective_from",
    ),
    "NUL in the child filter": ("GET", "/v1/contracts", {"child_id": "c\x00"}, "child_id"),
}  # fmt: skip


@pytest.mark.parametrize("case", ABSURD, ids=list(ABSURD))
async def test_absurd_input_is_a_4xx_problem_and_stored_rows_stay(
    api, membership, signed, case: str
) -> None:
    method, path, body, field = ABSURD[case]
    headers = dict(signed["agent"])
    sent: dict[str, Any]
    if method == "GET":
        sent = {"params": body}
    elif isinstance(body, str):
        sent = {"content": body}
        headers["content-type"] = "application/json"
    else:
        sent = {"json": body}
    before = await snapshot(membership)

    response = await api.request(
        method, path.format(contract=signed["contract"]["contract_id"]), headers=headers, **sent
    )

    assert_refused_naming(response, field)
    assert await snapshot(membership) == before
    stored = await api.get(
        f"/v1/contracts/{signed['contract']['contract_id']}", headers=signed["agent"]
    )
    assert stored.json()["status"] == "active"
