"""Projection of membership events: children and every version of their contracts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_billing.projections.store import insert_for, mark_dirty, months_of_days
from csa_billing.tables import child_projection, contract_version
from csa_shared.events import Envelope
from csa_shared.rules.periods import billing_period_of

STATUS = {
    "lu.csa.membership.contract.signed.v1": "signed",
    "lu.csa.membership.contract.amended.v1": "amended",
    "lu.csa.membership.contract.renewed.v1": "renewed",
    "lu.csa.membership.contract.expired.v1": "expired",
    "lu.csa.membership.contract.terminated.v1": "terminated",
}
LATE_RENEWAL_MONTHS = 3


async def on_child_registered(session: AsyncSession, event: Envelope) -> None:
    """Keep what an invoice prints: a display name, language and billing address."""
    data = event.data
    row = {
        "household_id": data["household_id"],
        "display_name": f"{data['first_name']} {data['surname']}",
        "birth_date": date.fromisoformat(data["birth_date"]),
        "language": data["language"],
        "billing_address": json.dumps(data["billing_address"], sort_keys=True),
        "updated_at": datetime.now(UTC),
        # optional in the event (added later): the invoice's addressee and the child's address
        "representative": _json_or_none(data.get("representative")),
        "home_address": _json_or_none(data.get("home_address")),
    }
    statement = (
        insert_for(session, child_projection)
        .values(child_id=data["child_id"], **row)
        .on_conflict_do_update(index_elements=[child_projection.c.child_id], set_=row)
    )
    await session.execute(statement)


def _json_or_none(value: object) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


async def on_contract(session: AsyncSession, event: Envelope) -> None:
    """Store the contract version (versions are immutable; a repeat changes nothing)."""
    data = event.data
    table = contract_version
    known = await session.execute(
        select(table.c.version).where(
            table.c.contract_id == data["contract_id"], table.c.version == data["version"]
        )
    )
    if known.first() is not None:
        return
    effective = date.fromisoformat(data["effective_from"])
    await session.execute(
        table.insert().values(
            contract_id=data["contract_id"],
            version=data["version"],
            child_id=data["child_id"],
            household_id=data["household_id"],
            status=STATUS[event.type],
            category=data["category"],
            rank=data["rank"],
            schooling=data["schooling"],
            birth_date=date.fromisoformat(data["birth_date"]),
            valid_from=date.fromisoformat(data["valid_from"]),
            valid_until=date.fromisoformat(data["valid_until"]),
            effective_from=effective,
            language=data["language"],
            billing_address=json.dumps(data["billing_address"], sort_keys=True),
            updated_at=datetime.now(UTC),
            state_pays_all=bool(data.get("state_pays_all", False)),
        )
    )
    await mark_dirty(session, data["child_id"], _rebilled_months(event, effective))


def _rebilled_months(event: Envelope, effective: date) -> set[str]:
    """Closed periods a contract event changes: a late renewal names them (at most 3);
    a signature, amendment or termination changes every period from ``effective_from``."""
    if event.type.endswith("contract.renewed.v1"):
        return set(event.data.get("rebill_months", [])[:LATE_RENEWAL_MONTHS])
    if event.type.endswith("contract.expired.v1"):
        return set()
    first = billing_period_of(effective)
    months = months_of_days(effective)
    year, month = first.year_month
    for _ in range(24):  # a contract spans at most 12 periods; bounded look-ahead
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        months.add(f"{year:04d}-{month:02d}")
    return months


HANDLERS = {"lu.csa.membership.child.registered.v1": on_child_registered} | {
    event_type: on_contract for event_type in STATUS
}
