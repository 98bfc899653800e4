"""API models of the privacy module."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AttendanceExport(BaseModel):
    """Every record about the child, each with its history. Attendance knows the child only
    by its pseudonymous id (no name, national id or address), so membership's erasure needs
    nothing scrubbed here."""

    service: str = "attendance"
    child_id: str
    education_contracts: list[dict[str, Any]]
    presences: list[dict[str, Any]] = Field(description="with their versions (corrections)")
    meals: list[dict[str, Any]] = Field(description="with their versions (corrections)")
    reservations: list[dict[str, Any]]
    service_sheets: list[dict[str, Any]]
    other_charges: list[dict[str, Any]]
