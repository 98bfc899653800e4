"""API models of the privacy module."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AttendanceExport(BaseModel):
    """Every record about the child, each with its history. Attendance knows the child only
    by its pseudonymous id (no name, national id or address), so membership's erasure needs
    nothing scrubbed here."""

    service: str = Field(default="attendance", description='Always "attendance"')
    child_id: str = Field(description="The child's pseudonymous id")
    education_contracts: list[dict[str, Any]] = Field(
        description="The child's education contracts with every version"
    )
    presences: list[dict[str, Any]] = Field(description="with their versions (corrections)")
    meals: list[dict[str, Any]] = Field(description="with their versions (corrections)")
    reservations: list[dict[str, Any]] = Field(description="with their versions (corrections)")
    service_sheets: list[dict[str, Any]] = Field(
        description="The parental assistants' service sheets, every version"
    )
    other_charges: list[dict[str, Any]] = Field(
        description="Charges outside the CSA (fees, deposits, travel)"
    )
