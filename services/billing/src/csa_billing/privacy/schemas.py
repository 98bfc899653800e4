"""API models of the privacy module."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class BillingExport(BaseModel):
    """What billing holds about the child: projections, invoices with their lines, and the
    provider statement lines that bill the child."""

    service: str = Field(default="billing", description='Always "billing"')
    child_id: str = Field(description="The child's pseudonymous id")
    child: dict[str, Any] | None = Field(description="display name, language, billing address")
    contract_versions: list[dict[str, Any]] = Field(
        description="The membership contract versions billing projected"
    )
    attendance: dict[str, list[dict[str, Any]]] = Field(
        description="projected presences, meals, reservations, service sheets, other charges"
    )
    invoices: list[dict[str, Any]] = Field(description="every invoice with its lines")
    statement_lines: list[dict[str, Any]] = Field(
        description="The provider statement lines that bill the child"
    )
