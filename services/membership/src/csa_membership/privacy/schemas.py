"""API models of the privacy module."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from csa_shared.http.bounds import SafeText


class ErasureIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"child_id": "demo-child-001", "reason": "parent request"}},
    )

    child_id: SafeText = Field(
        min_length=1, max_length=64, description="The child to erase (pseudonymous id)"
    )
    reason: SafeText = Field(min_length=1, max_length=500, description="why (kept in the audit)")


class ErasureOut(BaseModel):
    child_id: str = Field(description="The child erased")
    household_ids: list[str] = Field(description="households whose representative was erased")
    erased_at: datetime | None = Field(description="null when the child was already erased")
    terminated_contracts: list[str] = Field(description="contracts ended by the erasure")
    already_erased: bool = Field(description="true when a previous request erased the child")


class MembershipExport(BaseModel):
    """Everything membership holds about the child and its household(s), as stored."""

    service: str = Field(default="membership", description='Always "membership"')
    child_id: str = Field(description="The child's pseudonymous id")
    child: dict[str, Any] = Field(description="the child record (id, NIN, names, birth date)")
    households: list[dict[str, Any]] = Field(description="household records of the contracts")
    contracts: list[dict[str, Any]] = Field(
        description="each contract with its versions (full data) and proofs"
    )
    week_sign_ups: list[dict[str, Any]] = Field(
        default_factory=list, description="sign-ups for plurilingual weeks, cancelled ones too"
    )
