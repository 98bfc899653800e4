"""Helpers of the attendance integration tests: request bodies and table snapshots."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from csa_shared.runtime import ServiceRuntime
from csa_shared.testing.events import waiting_documents

ADDRESS = {"street": "1 rue de la Gare", "postcode": "L-1234", "locality": "Luxembourg"}


def provider_body(pid: str, ptype: str = "sea_commercial", **over: Any) -> dict[str, Any]:
    return {
        "provider_id": pid,
        "provider_type": ptype,
        "effective_from": "2025-01-06",
        "name": f"Crèche {pid}",
        "address": ADDRESS,
        "commune": "Luxembourg",
        "hourly_price": "5.00",
        "meal_price": "4.50",
        "plurilingual": False,
        **over,
    }


def contract_body(cid: str, child: str, pid: str, **over: Any) -> dict[str, Any]:
    return {
        "contract_id": cid,
        "child_id": child,
        "provider_id": pid,
        "start": "2025-01-06",
        "hours_per_week": "40",
        "hourly_price": "5.00",
        **over,
    }


def single_presence(record: str, child: str, day: str) -> dict[str, str]:
    """A `POST /v1/presences` body: 08:00-12:00 on `day`."""
    return {
        "record_id": record,
        "child_id": child,
        "start": f"{day}T08:00:00",
        "end": f"{day}T12:00:00",
    }


async def count(runtime: ServiceRuntime, table: Any, *where: Any) -> int:
    async with runtime.sessions() as s:
        return (await s.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def rows(runtime: ServiceRuntime, table: Any) -> list[tuple[Any, ...]]:
    async with runtime.sessions() as s:
        return [tuple(r) for r in await s.execute(select(table).order_by(*table.primary_key))]


async def outbox_types(runtime: ServiceRuntime) -> list[str]:
    return [document["type"] for document in await waiting_documents(runtime)]
