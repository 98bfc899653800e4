"""Queries of the privacy module: the child's rows as stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from csa_attendance.presences.repository import first_version
from csa_attendance.tables import (
    education_contracts,
    meal_versions,
    meals,
    other_charges,
    presence_versions,
    presences,
    reservations,
    service_sheets,
)


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result.all()]


async def of_child(
    session: AsyncSession, table: Table, child_id: str, *order: Any
) -> list[dict[str, Any]]:
    query = select(table).where(table.c.child_id == child_id).order_by(*order)
    return _rows(await session.execute(query))


async def _versions(
    session: AsyncSession, table: Table, key: Any, ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    if ids:
        query = select(table).where(key.in_(ids)).order_by(key, table.c.version)
        for row in _rows(await session.execute(query)):
            out.setdefault(row[key.name], []).append(row)
    return out


def _first(record: dict[str, Any], versions: Table) -> dict[str, Any]:
    """Version 1 of a record never corrected, as `_rows` gives a version row."""
    return dict(first_version(record, versions)._asdict())


async def export_rows(session: AsyncSession, child_id: str) -> dict[str, list[dict[str, Any]]]:
    found = {
        "education_contracts": await of_child(
            session, education_contracts, child_id, education_contracts.c.start
        ),
        "presences": await of_child(session, presences, child_id, presences.c.start),
        "meals": await of_child(session, meals, child_id, meals.c.day),
        "reservations": await of_child(session, reservations, child_id, reservations.c.start),
        "service_sheets": await of_child(
            session, service_sheets, child_id, service_sheets.c.month, service_sheets.c.version
        ),
        "other_charges": await of_child(session, other_charges, child_id, other_charges.c.day),
    }
    history = await _versions(
        session,
        presence_versions,
        presence_versions.c.presence_id,
        [r["id"] for r in found["presences"]],
    )
    for row in found["presences"]:
        row["versions"] = history.get(row["id"]) or [_first(row, presence_versions)]
    history = await _versions(
        session, meal_versions, meal_versions.c.meal_id, [r["id"] for r in found["meals"]]
    )
    for row in found["meals"]:
        row["versions"] = history.get(row["id"]) or [_first(row, meal_versions)]
    return found
