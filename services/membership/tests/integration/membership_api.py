"""Request bodies and database snapshots for the membership integration tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from sqlalchemy import select

from csa_membership.domain.nin import make_nin
from csa_membership.tables import children, contract_versions, contracts, households, proofs
from csa_shared.runtime import ServiceRuntime

CHILD_NIN = make_nin(date(2022, 5, 10), 42).value
PARENT_NIN = make_nin(date(1988, 11, 3), 7).value
ESCH = "Esch-sur-Alzette"
HOME = {
    "line": "12, rue de la Gare",
    "postcode": "L-4001",
    "locality": ESCH,
    "country": "LU",
    "commune": ESCH,
}


def application(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": {"first_name": "Mia", "last_name": "Muller", "nin": CHILD_NIN},
        "child_address": copy.deepcopy(HOME),
        "representative": {"first_name": "Anna", "last_name": "Muller", "nin": PARENT_NIN},
        "language": "fr",
        "schooling": "none",
        "resident": True,
        "household": {
            "situation": "living_together",
            "members": [
                {
                    "role": "representative",
                    "name": "Anna Muller",
                    "incomes": [{"kind": "taxable", "monthly_amount": "5200.00"}],
                }
            ],
        },
        "siblings": [{"birth_date": "2019-01-01"}],
        "proofs": [{"type": "tax_assessment", "dated": "2025-01-15"}],
    }
    body.update(changes)
    return body


def household_earning(monthly_amount: str) -> dict[str, Any]:
    """The household of an amendment: the representative alone, with one taxable income."""
    members = [
        {
            "role": "representative",
            "name": "Anna",
            "incomes": [{"kind": "taxable", "monthly_amount": monthly_amount}],
        }
    ]
    household: dict[str, Any] = application(
        household={"situation": "living_together", "members": members}
    )["household"]
    return household


async def snapshot(runtime: ServiceRuntime) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the membership tables, outbox included, in a stable order."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with runtime.sessions() as session:
        for table in (children, households, contracts, contract_versions, proofs, runtime.outbox):
            rows = (await session.execute(select(table))).all()
            result[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return result
