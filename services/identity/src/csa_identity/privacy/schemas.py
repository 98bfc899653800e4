"""API models of the privacy module."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class IdentityExport(BaseModel):
    """What identity holds about the child and the accounts it is attached to. Secrets
    (password hashes, linking/activation code hashes, OTPs, refresh token hashes, the texts
    of letters and SMS, which carry codes) are never exported."""

    service: str = Field(default="identity", description='Always "identity"')
    child_id: str = Field(description="The child's pseudonymous id")
    card: dict[str, Any] | None = Field(description="the myCard: IAM code, status, holder")
    accounts: list[dict[str, Any]] = Field(
        description="parent accounts attached to the child: e-mail, mobile, status, children"
    )
    certificates: list[dict[str, Any]] = Field(description="LuxTrust certificates of them")
    sessions: list[dict[str, Any]] = Field(description="their sign-in sessions (no tokens)")
    letters: list[dict[str, Any]] = Field(description="letters sent (recipient and dates)")
    audit: list[dict[str, Any]] = Field(description="audit entries about the accounts/child")
